import type { Kafka } from 'kafkajs';
import { describeThrown } from '../errors.ts';
import { detachedMessage, sourceMessage, type SourceMessage } from '../batch/source-message.ts';

export interface ReadMessagesAtOptions {
  /** The throwaway consumer group's id starts with it (ACLs: allow the prefix). */
  readonly groupPrefix: string;
  /** One read gives up after this long (the caller retries). */
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
}

export interface MessagesRead {
  /** Copies of the messages found, by offset. */
  readonly found: Map<string, SourceMessage>;
  /**
   * Offsets wanted that the read passed over without seeing: the consumer's position jumped
   * past them (its seek lost to a rejoin after a leader change, an offset reset when the log
   * start moved) or the log has a gap there (compaction). Another read may find them.
   * Every other offset not found was below the log's start (deleted).
   */
  readonly passedOver: string[];
}

/**
 * Reads the messages at some offsets of one partition again, as a read_committed consumer
 * sees them (the worker's own isolation level), and returns copies of those found.
 *
 * One pass of a throwaway consumer group (kafkajs reads only through a group): it joins
 * alone, so every partition is its; the others are paused, this one is sought to the first
 * offset still in the log and read up to the last one wanted. Each batch kafkajs reports
 * (markers and aborted records included) moves the read on; a batch that starts past where
 * the read had got to leaves the offsets between it and there passed over, not gone.
 * Nothing is committed (no auto-commit; kafkajs never restarts this consumer by itself).
 */
export async function readMessagesAt(
  kafka: Kafka,
  topic: string,
  partition: number,
  offsets: readonly string[],
  options: ReadMessagesAtOptions,
): Promise<MessagesRead> {
  const found = new Map<string, SourceMessage>();
  const wanted = new Set(offsets);
  const bounds = await logBounds(kafka, topic);
  const log = bounds.get(partition);
  if (log === undefined) return { found, passedOver: [] };
  const ascending = [...wanted].map(BigInt).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const first = ascending.find((o) => o >= log.start);
  const last = ascending.findLast((o) => o < log.end);
  if (first === undefined || last === undefined || first > last) return { found, passedOver: [] };

  const consumer = kafka.consumer({
    groupId: `${options.groupPrefix}-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`,
    // Alone in its group: no rebalance to wait for beyond its own join.
    rebalanceTimeout: 10_000,
    // Short fetch waits, so that disconnecting does not wait out a long poll.
    maxWaitTimeInMs: 500,
    // A crashed consumer is not restarted behind our back: the pass fails and is retried.
    retry: { restartOnFailure: () => Promise.resolve(false) },
  });
  /** The next offset the read has to see; what lies between it and a later batch is skipped. */
  let next = first;
  const skipped: [bigint, bigint][] = [];
  let finish: () => void = () => undefined;
  const passedLast = new Promise<void>((resolve) => (finish = resolve));
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    if (payload.topic !== topic || payload.partition !== partition) return;
    if (payload.firstOffset === null || payload.firstOffset === undefined) return;
    const batchFirst = BigInt(payload.firstOffset);
    const batchLast = BigInt(payload.lastOffset);
    if (batchFirst > next) skipped.push([next, batchFirst]);
    if (batchLast >= next) next = batchLast + 1n;
    if (next > last) finish();
  });
  try {
    await consumer.connect();
    // Not from the beginning: the other partitions start at their end and are paused anyway.
    await consumer.subscribe({ topic, fromBeginning: false });
    await consumer.run({
      autoCommit: false,
      eachBatch: ({ batch }) => {
        if (batch.partition !== partition) return Promise.resolve();
        for (const message of batch.messages) {
          const offset = BigInt(message.offset);
          if (offset > last) break;
          if (wanted.has(message.offset)) {
            found.set(message.offset, detachedMessage(sourceMessage(message, topic, partition)));
          }
        }
        return Promise.resolve();
      },
    });
    // Both take effect before the first fetch (kafkajs applies pending seeks before fetching
    // and drops what a fetch brings for a partition with a seek pending).
    const others = [...bounds.keys()].filter((p) => p !== partition);
    if (others.length > 0) consumer.pause([{ topic, partitions: others }]);
    consumer.seek({ topic, partition, offset: first.toString() });
    await settle(passedLast, options, () => {
      const missing = [...wanted].filter((o) => !found.has(o) && BigInt(o) <= last);
      return `reading ${missing.length} message(s) of ${topic}[${partition}] again (offsets ${first}-${last}) timed out after ${options.timeoutMs} ms`;
    });
  } finally {
    await consumer.disconnect();
  }
  const passedOver = [...wanted].filter((o) => {
    if (found.has(o)) return false;
    const offset = BigInt(o);
    return skipped.some(([from, to]) => offset >= from && offset < to);
  });
  return { found, passedOver };
}

/** Each partition's log start and end (the next offset to be written). */
async function logBounds(
  kafka: Kafka,
  topic: string,
): Promise<Map<number, { start: bigint; end: bigint }>> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(
      offsets.map((o) => [o.partition, { start: BigInt(o.low), end: BigInt(o.high) }]),
    );
  } finally {
    await admin.disconnect();
  }
}

function settle(
  done: Promise<void>,
  options: ReadMessagesAtOptions,
  describeTimeout: () => string,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => stop(new Error(describeTimeout())), options.timeoutMs);
    const onAbort = (): void => stop(options.signal.reason);
    const stop = (err?: unknown): void => {
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
      if (err === undefined) resolve();
      else reject(err instanceof Error ? err : new Error(describeThrown(err)));
    };
    if (options.signal.aborted) return stop(options.signal.reason);
    options.signal.addEventListener('abort', onAbort, { once: true });
    void done.then(() => stop());
  });
}
