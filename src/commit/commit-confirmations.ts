import type { Consumer, TopicOffsets } from 'kafkajs';

/** The part of a kafkajs consumer that reports acknowledged commits. */
export type CommitEvents = Pick<Consumer, 'on' | 'events'>;

interface Expected {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  seen: boolean;
}

/**
 * Tells whether a commit really reached the group coordinator. kafkajs's
 * `consumer.commitOffsets()` resolves *without sending anything* while its runner is not
 * running — while the consumer stops, or restarts after a crash (e.g. a long broker
 * outage). kafkajs emits COMMIT_OFFSETS, synchronously, only after the coordinator
 * acknowledged a commit, and before `commitOffsets()` resolves: that event is the proof.
 */
export class CommitConfirmations {
  readonly #expected = new Set<Expected>();

  constructor(consumer: CommitEvents) {
    consumer.on(consumer.events.COMMIT_OFFSETS, (event) => this.#confirm(event.payload.topics));
  }

  /** Runs `commit` and resolves with whether the coordinator acknowledged that offset. */
  async confirm(
    topic: string,
    partition: number,
    offset: bigint,
    commit: () => Promise<void>,
  ): Promise<boolean> {
    const expected: Expected = { topic, partition, offset: offset.toString(), seen: false };
    this.#expected.add(expected);
    try {
      await commit();
      return expected.seen;
    } finally {
      this.#expected.delete(expected);
    }
  }

  #confirm(topics: readonly TopicOffsets[]): void {
    for (const expected of this.#expected) {
      const committed = topics
        .find((t) => t.topic === expected.topic)
        ?.partitions.find((p) => Number(p.partition) === expected.partition);
      if (committed !== undefined && String(committed.offset) === expected.offset) {
        expected.seen = true;
      }
    }
  }
}
