import type { IHeaders } from 'kafkajs';

/**
 * The original Kafka message behind a row or a dead letter, kept until its batch is
 * committed so that anything ClickHouse rejects can still go to the DLQ as it arrived.
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
  const copy: IHeaders = {};
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

/** Per held message, beyond its bytes: the SourceMessage, its row's slots, string headers. */
const MESSAGE_OVERHEAD_BYTES = 160;

/** What a held message costs in memory: its row (JSON bytes, 0 for a dead letter), its bytes. */
export function heldBytes(source: SourceMessage, rowBytes: number): number {
  return (
    rowBytes + (source.value?.length ?? 0) + (source.key?.length ?? 0) + MESSAGE_OVERHEAD_BYTES
  );
}
