import type { IHeaders, KafkaMessage } from 'kafkajs';

/**
 * The original Kafka message behind a row or a dead letter: a dead letter's is kept until its
 * batch is committed, to go to the DLQ as it arrived.
 */
export interface SourceMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: IHeaders | undefined;
  readonly timestampMs: number;
}

/** A fetched kafkajs message as the pipeline handles it (its bytes still in the fetch). */
export function sourceMessage(
  message: KafkaMessage,
  topic: string,
  partition: number,
): SourceMessage {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key ?? null,
    value: message.value,
    headers: message.headers,
    timestampMs: Number(message.timestamp),
  };
}

/** The same message copied out of the fetch response, to be held until its batch lands. */
export function detachedMessage(source: SourceMessage): SourceMessage {
  return {
    ...source,
    key: detachedBytes(source.key),
    value: detachedBytes(source.value),
    headers: detachedHeaders(source.headers),
  };
}

/**
 * kafkajs hands out keys, values and header values as slices of the whole fetch response
 * (up to KAFKA_FETCH_MAX_BYTES); keeping one slice keeps the response alive. A message held
 * until its batch lands is copied out, so memory follows what the batches hold.
 */
export function detachedBytes(bytes: Buffer | null): Buffer | null {
  return bytes === null ? null : Buffer.from(bytes);
}

export function detachedHeaders(headers: IHeaders | undefined): IHeaders | undefined {
  if (headers === undefined) return undefined;
  // No prototype: a header named `__proto__` is copied like any other.
  const copy = Object.create(null) as IHeaders;
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    copy[name] = Array.isArray(value)
      ? value.map((v) => (Buffer.isBuffer(v) ? Buffer.from(v) : v))
      : Buffer.isBuffer(value)
        ? Buffer.from(value)
        : value;
  }
  return copy;
}

/** Per held row, beyond its bytes: its offset string and slots (batch/row-lines.ts). */
const ROW_OVERHEAD_BYTES = 64;
/** Per held dead letter, beyond its message's bytes: the SourceMessage, the reason, headers. */
const DEAD_LETTER_OVERHEAD_BYTES = 160;

/**
 * What a taken message costs in memory until its batch lands: a row only its bytes (the
 * message is not kept: deliver/recover-originals.ts reads it again if ClickHouse refuses the
 * row); a dead letter (`rowBytes` undefined) its whole message.
 */
export function heldBytes(source: SourceMessage, rowBytes: number | undefined): number {
  return rowBytes === undefined
    ? messageBytes(source) + DEAD_LETTER_OVERHEAD_BYTES
    : rowBytes + ROW_OVERHEAD_BYTES;
}

/**
 * A message's own bytes: key, value and headers (names and values). What a dead letter
 * adds to its batch: it is written to the DLQ topic as it arrived, headers included.
 */
export function messageBytes(source: Pick<SourceMessage, 'key' | 'value' | 'headers'>): number {
  return (source.value?.length ?? 0) + (source.key?.length ?? 0) + headerBytes(source.headers);
}

/** Header names and values, in bytes (a header with several values counts each). */
export function headerBytes(headers: IHeaders | undefined): number {
  if (headers === undefined) return 0;
  let bytes = 0;
  // Counted for every message taken (most have none): no entries array allocated.
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) {
      // A header's value may be null (Kafka allows it; kafkajs's types do not say so).
      const size = typeof v === 'string' ? Buffer.byteLength(v) : Buffer.isBuffer(v) ? v.length : 0;
      bytes += Buffer.byteLength(name) + size;
    }
  }
  return bytes;
}
