import type { Kafka } from 'kafkajs';
import { detachedMessage, sourceMessage, type SourceMessage } from '../batch/source-message.ts';
import { logBounds, readOffsetRanges } from './read-offset-ranges.ts';

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
   * past them (an offset reset when the log start moved) or the log has a gap there
   * (compaction). Another read may find them.
   * Every other offset not found was below the log's start (deleted).
   */
  readonly passedOver: string[];
}

/**
 * Reads the messages at some offsets of one partition again, as a read_committed consumer
 * sees them (the worker's own isolation level), and returns copies of those found: one pass
 * over the range from the first offset still in the log to the last one wanted
 * (read-offset-ranges.ts).
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
  const first = ascending.find((o) => o >= log.low);
  const last = ascending.findLast((o) => o < log.high);
  if (first === undefined || last === undefined || first > last) return { found, passedOver: [] };

  const skipped = await readOffsetRanges(
    kafka,
    topic,
    [...bounds.keys()],
    new Map([[partition, { from: first, to: last }]]),
    (_, message) => {
      if (wanted.has(message.offset)) {
        found.set(message.offset, detachedMessage(sourceMessage(message, topic, partition)));
      }
    },
    options,
  );
  const spans = skipped.get(partition) ?? [];
  const passedOver = [...wanted].filter((o) => {
    if (found.has(o)) return false;
    const offset = BigInt(o);
    return spans.some(([from, to]) => offset >= from && offset < to);
  });
  return { found, passedOver };
}
