/**
 * A record batch whose records would decompress to more than the limit (a decompression bomb:
 * a few hundred KB that inflate to gigabytes) is not decompressed. kafkajs would stop or
 * retry the whole fetch on an error, so the codec hands kafkajs records of its own instead:
 * one per record of the batch, at the batch's offsets, each with an empty value that decode
 * knows (by the memory it lives in, which no producer can name) and dead-letters with the
 * reason. The partition moves on; nothing larger than the limit is ever held.
 */

/** Record-batch (magic 2) fields, as offsets from the batch's first byte. */
const LENGTH_AT = 8;
const MAGIC_AT = 16;
const ATTRIBUTES_AT = 21;
const LAST_OFFSET_DELTA_AT = 23;
const RECORD_COUNT_AT = 57;
/** The records (compressed) start here: what kafkajs hands the codec is the rest of the batch. */
const RECORDS_AT = 61;
/** The batch length counts from after the length field. */
const LENGTH_COUNTS_FROM = 12;

/** Why each stand-in's memory holds no records, by the memory (a WeakMap: gone with it). */
const unreadBatches = new WeakMap<ArrayBufferLike, string>();

/**
 * The reason a message's value is the stand-in of a batch that was not read, if it is one.
 * One WeakMap lookup: values of real records live in fetched or decompressed memory.
 */
export function unreadBatchReason(value: Buffer | null): string | undefined {
  return value === null ? undefined : unreadBatches.get(value.buffer);
}

/**
 * The stand-in records for the batch whose compressed records are `compressed`, or undefined
 * when the batch around them cannot be read (then the caller fails the decompression as
 * before). kafkajs hands the codec a view into the fetched response, so the batch's header
 * lies just before it; it is trusted only if it is a magic-2 header naming `codecId` whose
 * length ends exactly where the view ends.
 */
export function unreadBatchRecords(
  compressed: Buffer,
  codecId: number,
  reason: string,
): Buffer | undefined {
  const start = compressed.byteOffset - RECORDS_AT;
  if (start < 0) return undefined;
  const header = new DataView(compressed.buffer, start, RECORDS_AT);
  if (header.getInt8(MAGIC_AT) !== 2) return undefined;
  if ((header.getInt16(ATTRIBUTES_AT) & 0x07) !== codecId) return undefined;
  if (
    start + LENGTH_COUNTS_FROM + header.getInt32(LENGTH_AT) !==
    compressed.byteOffset + compressed.length
  )
    return undefined;
  const lastOffsetDelta = header.getInt32(LAST_OFFSET_DELTA_AT);
  const count = header.getInt32(RECORD_COUNT_AT);
  if (count < 1 || lastOffsetDelta < count - 1) return undefined;

  // One record per record of the batch (kafkajs decodes as many as the header counts).
  const deltas = Array.from({ length: count }, (_, i) =>
    // A batch that lost records to compaction keeps its last offset: the last stand-in takes it.
    i === count - 1 ? lastOffsetDelta : i,
  );
  const out = Buffer.alloc(deltas.reduce((n, d) => n + 1 + standInBodyBytes(d), 0));
  let at = 0;
  for (const delta of deltas) {
    // Length, then: attributes, timestamp delta 0, offset delta, key null (-1), value empty (0),
    // no headers. Buffer.alloc is memory of its own, never the shared pool's.
    at = out.writeUInt8(zigzag(standInBodyBytes(delta)), at);
    at = out.writeUInt8(0, at);
    at = out.writeUInt8(0, at);
    at = writeVarint(out, at, zigzag(delta));
    at = out.writeUInt8(zigzag(-1), at);
    at = out.writeUInt8(0, at);
    at = out.writeUInt8(0, at);
  }
  unreadBatches.set(out.buffer, reason);
  return out;
}

/** A stand-in record's body: 5 one-byte fields and its offset delta's varint. */
function standInBodyBytes(offsetDelta: number): number {
  let bytes = 1;
  for (let v = zigzag(offsetDelta); v >= 0x80; v >>>= 7) bytes++;
  return 5 + bytes;
}

/** Kafka's varints are zigzag-encoded. */
function zigzag(value: number): number {
  return ((value << 1) ^ (value >> 31)) >>> 0;
}

/** Little-endian base-128 (a zigzagged value); returns the offset after it. */
function writeVarint(out: Buffer, at: number, value: number): number {
  let v = value;
  while (v >= 0x80) {
    out[at++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  out[at++] = v;
  return at;
}
