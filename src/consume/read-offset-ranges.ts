import type { Kafka, KafkaMessage } from 'kafkajs';
import { describeThrown } from '../errors.ts';
import type { LogBounds } from './start-position.ts';

/** Offsets `from` to `to` (both included) of one partition. */
export interface OffsetRange {
  readonly from: bigint;
  readonly to: bigint;
}

export interface ReadOffsetRangesOptions {
  /** The throwaway consumer group's id starts with it (ACLs: allow the prefix). */
  readonly groupPrefix: string;
  /** The read gives up after this long. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

/** Offsets from the first up to (not including) the second. */
export type OffsetSpan = readonly [from: bigint, to: bigint];

/** Each partition's log bounds, by partition. */
export async function logBounds(kafka: Kafka, topic: string): Promise<Map<number, LogBounds>> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((o) => [o.partition, { low: BigInt(o.low), high: BigInt(o.high) }]));
  } finally {
    await admin.disconnect();
  }
}

/**
 * Reads ranges of offsets of a topic's partitions as a read_committed consumer sees them
 * (the worker's isolation level: aborted transactions skipped, open ones waited for) and hands
 * each message in a range to `onMessage`, in offset order per partition. Returns, per
 * partition, the spans the read passed over without seeing: its position jumped past them (an
 * offset reset when the log start moved) or the log has a gap there (compaction). Another read
 * may find them. A seek lost to a rejoin restarts the read at the log's start, not its end.
 *
 * One pass of a throwaway consumer group (kafkajs reads only through a group): it joins alone,
 * so every partition is its; those of `partitions` without a range are paused, each of the
 * others is sought to its range's start. A partition is done once a batch kafkajs reports
 * (END_BATCH_PROCESS: batches of only commit markers or aborted records too) reaches its
 * range's end; a topic written in transactions counts markers and aborted records in its
 * offsets, so no count of messages could say when. Nothing is committed (no auto-commit;
 * kafkajs never restarts this consumer by itself: a crashed pass fails, the caller retries).
 */
export async function readOffsetRanges(
  kafka: Kafka,
  topic: string,
  partitions: readonly number[],
  ranges: ReadonlyMap<number, OffsetRange>,
  onMessage: (partition: number, message: KafkaMessage) => void,
  options: ReadOffsetRangesOptions,
): Promise<Map<number, OffsetSpan[]>> {
  const passedOver = new Map<number, OffsetSpan[]>();
  /** The next offset the read has to see, per partition not done yet. */
  const next = new Map<number, bigint>();
  for (const [partition, range] of ranges) {
    if (range.from <= range.to) next.set(partition, range.from);
  }
  if (next.size === 0) return passedOver;

  const consumer = kafka.consumer({
    groupId: `${options.groupPrefix}-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`,
    // Alone in its group: no rebalance to wait for beyond its own join.
    rebalanceTimeout: 10_000,
    // Short fetch waits, so that disconnecting does not wait out a long poll.
    maxWaitTimeInMs: 500,
    retry: { restartOnFailure: () => Promise.resolve(false) },
  });
  let finish: () => void = () => undefined;
  const allRead = new Promise<void>((resolve) => (finish = resolve));
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    const expected = next.get(payload.partition);
    if (payload.topic !== topic || expected === undefined) return;
    if (payload.firstOffset === null || payload.firstOffset === undefined) return;
    const batchFirst = BigInt(payload.firstOffset);
    const batchLast = BigInt(payload.lastOffset);
    if (batchFirst > expected) {
      const spans = passedOver.get(payload.partition) ?? [];
      spans.push([expected, batchFirst]);
      passedOver.set(payload.partition, spans);
    }
    if (batchLast < expected) return;
    if (batchLast >= (ranges.get(payload.partition) as OffsetRange).to) {
      next.delete(payload.partition);
      if (next.size === 0) finish();
    } else {
      next.set(payload.partition, batchLast + 1n);
    }
  });
  try {
    await consumer.connect();
    // Should a seek be lost, the read starts at the log's start, not at its end.
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: ({ batch }) => {
        const range = ranges.get(batch.partition);
        if (range === undefined) return Promise.resolve();
        for (const message of batch.messages) {
          const offset = BigInt(message.offset);
          if (offset > range.to) break;
          if (offset >= range.from) onMessage(batch.partition, message);
        }
        return Promise.resolve();
      },
    });
    // Both take effect before the first fetch (kafkajs applies pending seeks before fetching
    // and drops what a fetch brings for a partition with a seek pending).
    const others = partitions.filter((p) => !next.has(p));
    if (others.length > 0) consumer.pause([{ topic, partitions: others }]);
    for (const [partition, from] of next) consumer.seek({ topic, partition, offset: String(from) });
    await settle(allRead, options, () => {
      const unfinished = [...next].map(
        ([p, from]) => `[${p}] ${from}-${(ranges.get(p) as OffsetRange).to}`,
      );
      return `reading ${topic} ${unfinished.join(', ')} timed out after ${options.timeoutMs} ms (a transaction left open?)`;
    });
  } finally {
    await consumer.disconnect();
  }
  return passedOver;
}

function settle(
  done: Promise<void>,
  options: ReadOffsetRangesOptions,
  describeTimeout: () => string,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const { signal } = options;
    const timer = setTimeout(() => stop(new Error(describeTimeout())), options.timeoutMs);
    const onAbort = (): void => stop(signal?.reason);
    const stop = (err?: unknown): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (err === undefined) resolve();
      else reject(err instanceof Error ? err : new Error(describeThrown(err)));
    };
    if (signal?.aborted === true) return stop(signal.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    void done.then(() => stop());
  });
}
