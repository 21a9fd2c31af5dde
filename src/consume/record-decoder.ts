import { createRequire, Module } from 'node:module';

const require = createRequire(import.meta.url);

/** kafkajs's decoder of one record (magic 2), which its record-batch decoder requires. */
const RECORD_DECODER = 'kafkajs/src/protocol/recordBatch/record/v0/decoder.js';

interface Long {
  add(other: unknown): Long;
  toString(): string;
}
interface KafkaDecoder {
  readInt8(): number;
  readVarLong(): unknown;
  readVarInt(): number;
  readVarIntBytes(): Buffer | null;
  readVarIntArray<T>(decodeItem: (decoder: KafkaDecoder) => T): T[];
}
interface BatchContext {
  readonly firstOffset?: string;
  readonly firstTimestamp?: string;
  readonly magicByte?: number;
  readonly isControlBatch?: boolean;
  readonly timestampType?: number;
  readonly maxTimestamp?: string;
}
type HeaderValue = Buffer | null;
/** A record's headers: a name given more than once holds every value, in order. */
export type RecordHeaders = Record<string, HeaderValue | HeaderValue[]>;

/**
 * A record's headers from the list decoded off the wire, in time linear in their number and
 * with any name a producer sends (`__proto__`, `constructor`) an own property like any other.
 * kafkajs builds them with one object spread per header (25,000 headers took minutes and cost
 * the worker its group membership, again and again) on a plain object, where a header named
 * `__proto__` or `constructor` read as already present turned into `[Object.prototype, value]`
 * (the budget of held bytes became NaN; a dead letter carrying it could not be written).
 */
export function recordHeaders(list: readonly { key: string; value: HeaderValue }[]): RecordHeaders {
  if (list.length === 0) return {};
  const headers = Object.create(null) as RecordHeaders;
  for (const { key, value } of list) {
    const seen = headers[key];
    if (seen === undefined) headers[key] = value;
    else if (Array.isArray(seen)) seen.push(value);
    else headers[key] = [seen, value];
  }
  return headers;
}

/**
 * Puts a record decoder in kafkajs's place that is its own but for the headers
 * (recordHeaders). kafkajs requires its record decoder on its first fetch, so this runs
 * before any client fetches (create-kafka.ts); returns false when kafkajs's was loaded first
 * (then kafkajs's decoding stays).
 */
export function installRecordDecoder(): boolean {
  const path = require.resolve(RECORD_DECODER);
  const loaded = require.cache[path];
  if (loaded !== undefined) return loaded.exports === decodeRecord;
  const module = new Module(path);
  module.filename = path;
  module.loaded = true;
  module.exports = decodeRecord;
  require.cache[path] = module;
  return true;
}

const Long = require('kafkajs/src/utils/long.js') as { fromValue(value: unknown): Long };
const { LOG_APPEND_TIME } = require('kafkajs/src/protocol/timestampTypes.js') as {
  LOG_APPEND_TIME: number;
};
const decodeHeader = require('kafkajs/src/protocol/recordBatch/header/v0/decoder.js') as (
  decoder: KafkaDecoder,
) => { key: string; value: HeaderValue };

/** kafkajs's record decoder (same fields, same order, same values) with recordHeaders. */
function decodeRecord(decoder: KafkaDecoder, batchContext: BatchContext = {}) {
  const { firstOffset, firstTimestamp, magicByte, isControlBatch = false } = batchContext;
  const { timestampType, maxTimestamp } = batchContext;
  const attributes = decoder.readInt8();
  const timestampDelta = decoder.readVarLong();
  const timestamp =
    timestampType === LOG_APPEND_TIME && maxTimestamp
      ? maxTimestamp
      : Long.fromValue(firstTimestamp).add(timestampDelta).toString();
  const offsetDelta = decoder.readVarInt();
  const offset = Long.fromValue(firstOffset).add(offsetDelta).toString();
  const key = decoder.readVarIntBytes();
  const value = decoder.readVarIntBytes();
  const headers = recordHeaders(decoder.readVarIntArray(decodeHeader));
  return {
    magicByte,
    attributes,
    timestamp,
    offset,
    key,
    value,
    headers,
    isControlRecord: isControlBatch,
    batchContext,
  };
}
