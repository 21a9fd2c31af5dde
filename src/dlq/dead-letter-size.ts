import type { IHeaders } from 'kafkajs';
import { headerBytes } from '../batch/source-message.ts';
import { DLQ_HEADERS, type DeadLetterRecord } from './dead-letter-headers.ts';

/** Record batch v2 header (base offset … record count): what one produced batch adds. */
export const RECORD_BATCH_OVERHEAD_BYTES = 61;
/**
 * Per record beyond its key, value and headers: length, attributes, timestamp and offset
 * deltas, key and value lengths, header count — each varint counted at its widest, so the
 * estimate is an upper bound of the encoded size.
 */
const RECORD_OVERHEAD_BYTES = 5 + 1 + 10 + 5 + 5 + 5 + 5;
/** Per header: the name's and the value's length varints. */
const HEADER_OVERHEAD_BYTES = 10;
/**
 * The share of the topic's max.message.bytes a produced batch may fill: the estimate is an
 * upper bound already; the rest leaves room for a broker that counts a little differently.
 */
const FILL = 0.9;

/** The largest record batch (bytes, estimated) to send to a topic with this limit. */
export function recordBatchBudget(maxMessageBytes: number): number {
  return Math.floor(maxMessageBytes * FILL);
}

/** An upper bound of the record's encoded size in a v2 record batch (uncompressed). */
export function estimateRecordBytes(record: DeadLetterRecord): number {
  return (
    RECORD_OVERHEAD_BYTES +
    (record.key?.length ?? 0) +
    (record.value?.length ?? 0) +
    headerBytes(record.headers) +
    HEADER_OVERHEAD_BYTES * headerCount(record.headers)
  );
}

/**
 * The record as it can be stored in a batch of at most `maxBatchBytes`: unchanged when it
 * fits, else its value cut to a prefix that fits, marked with `hanzo.dlq.truncated` (the
 * original value's size). When even an empty value does not fit, the key and the original
 * headers go too; the `hanzo.dlq.*` headers (reason, source topic, partition and offset)
 * always stay, so an operator can re-read the whole message from its source.
 */
export function fitDeadLetter(record: DeadLetterRecord, maxBatchBytes: number): DeadLetterRecord {
  const maxRecordBytes = maxBatchBytes - RECORD_BATCH_OVERHEAD_BYTES;
  if (estimateRecordBytes(record) <= maxRecordBytes) return record;
  const value = record.value ?? Buffer.alloc(0);
  const marked: DeadLetterRecord = {
    ...record,
    headers: { ...record.headers, [DLQ_HEADERS.truncated]: String(value.length) },
  };
  const room = maxRecordBytes - estimateRecordBytes({ ...marked, value: null });
  if (room >= 0) return { ...marked, value: value.subarray(0, room) };
  const bare: DeadLetterRecord = { key: null, value: null, headers: ownHeaders(marked.headers) };
  const bareRoom = maxRecordBytes - estimateRecordBytes(bare);
  return { ...bare, value: value.subarray(0, Math.max(0, bareRoom)) };
}

/**
 * Splits items, in order, into runs whose record batch stays within `maxBatchBytes`
 * (RECORD_BATCH_OVERHEAD_BYTES plus each record's estimate). An item larger than the
 * budget on its own gets a run of its own (fitDeadLetter first, so there is none).
 */
export function chunkBySize<T>(
  items: readonly T[],
  recordOf: (item: T) => DeadLetterRecord,
  maxBatchBytes: number,
): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = RECORD_BATCH_OVERHEAD_BYTES;
  for (const item of items) {
    const size = estimateRecordBytes(recordOf(item));
    if (current.length > 0 && bytes + size > maxBatchBytes) {
      chunks.push(current);
      current = [];
      bytes = RECORD_BATCH_OVERHEAD_BYTES;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

function headerCount(headers: IHeaders): number {
  let n = 0;
  for (const value of Object.values(headers)) {
    if (value !== undefined) n += Array.isArray(value) ? value.length : 1;
  }
  return n;
}

function ownHeaders(headers: IHeaders): IHeaders {
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => name.startsWith('hanzo.dlq.')),
  );
}
