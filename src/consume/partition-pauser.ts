import type { Consumer } from 'kafkajs';

interface PausablePartition {
  readonly topic: string;
  readonly partition: number;
  paused: boolean;
}

/**
 * Backpressure through kafkajs pause/resume, one partition at a time. Remembers what it
 * paused so that a rebalance (which terminates every pipeline) can resume it all: kafkajs keeps a
 * partition paused across assignments otherwise.
 */
export class PartitionPauser {
  readonly #consumer: Pick<Consumer, 'pause' | 'resume'>;
  readonly #paused = new Map<string, { topic: string; partition: number }>();

  constructor(consumer: Pick<Consumer, 'pause' | 'resume'>) {
    this.#consumer = consumer;
  }

  pause(target: PausablePartition): void {
    if (target.paused) return;
    target.paused = true;
    this.#paused.set(key(target), { topic: target.topic, partition: target.partition });
    whileRunning(() =>
      this.#consumer.pause([{ topic: target.topic, partitions: [target.partition] }]),
    );
  }

  resume(target: PausablePartition): void {
    if (!target.paused) return;
    target.paused = false;
    this.#paused.delete(key(target));
    whileRunning(() =>
      this.#consumer.resume([{ topic: target.topic, partitions: [target.partition] }]),
    );
  }

  /** After a rebalance: whatever we paused is resumed; new pipelines decide afresh. */
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

const key = (target: PausablePartition): string => `${target.topic}:${target.partition}`;

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
