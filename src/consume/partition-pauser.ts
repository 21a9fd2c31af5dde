import type { Consumer } from 'kafkajs';

interface PausableLane {
  readonly topic: string;
  readonly partition: number;
  paused: boolean;
}

/**
 * Backpressure through kafkajs pause/resume, one partition at a time. Remembers what it
 * paused so that a rebalance (which drops every lane) can resume it all: kafkajs keeps a
 * partition paused across assignments otherwise.
 */
export class PartitionPauser {
  readonly #consumer: Pick<Consumer, 'pause' | 'resume'>;
  readonly #paused = new Map<string, { topic: string; partition: number }>();

  constructor(consumer: Pick<Consumer, 'pause' | 'resume'>) {
    this.#consumer = consumer;
  }

  pause(lane: PausableLane): void {
    if (lane.paused) return;
    lane.paused = true;
    this.#paused.set(key(lane), { topic: lane.topic, partition: lane.partition });
    whileRunning(() => this.#consumer.pause([{ topic: lane.topic, partitions: [lane.partition] }]));
  }

  resume(lane: PausableLane): void {
    if (!lane.paused) return;
    lane.paused = false;
    this.#paused.delete(key(lane));
    whileRunning(() =>
      this.#consumer.resume([{ topic: lane.topic, partitions: [lane.partition] }]),
    );
  }

  /** After a rebalance: whatever we paused is resumed; new lanes decide afresh. */
  resumeAll(): void {
    if (this.#paused.size === 0) return;
    const byTopic = new Map<string, number[]>();
    for (const { topic, partition } of this.#paused.values()) {
      byTopic.set(topic, [...(byTopic.get(topic) ?? []), partition]);
    }
    whileRunning(() =>
      this.#consumer.resume([...byTopic].map(([topic, partitions]) => ({ topic, partitions }))),
    );
    this.#paused.clear();
  }
}

const key = (lane: PausableLane): string => `${lane.topic}:${lane.partition}`;

/**
 * Runs a pause/resume unless kafkajs has no consumer group right now: between a crash and
 * its restart (a failed rejoin during a rebalance) or after stop, kafkajs throws "Consumer
 * group was not initialized". Nothing is fetched then, and a restarted group starts with
 * nothing paused (the join resumes our bookkeeping too), so there is nothing to do.
 */
export function whileRunning(action: () => void): void {
  try {
    action();
  } catch (err) {
    if (err instanceof Error && err.message.startsWith(NOT_RUNNING)) return;
    throw err;
  }
}

const NOT_RUNNING = 'Consumer group was not initialized';
