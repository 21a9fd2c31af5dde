import type { DecodeConfig } from '../config/schema.ts';
import { unreadBatchReason } from '../consume/compression/unread-batch.ts';
import { blockCountProblem } from './avro-block-counts.ts';
import { InvalidAvroUtf8, readAvroStringsStrictly } from './avro-strict-strings.ts';
import type { AvroSchemas, WriterSchema } from './avro-schemas.ts';
import { deadLetter, type Outcome } from './outcome.ts';
import type { MessageOrigin } from './event-row.ts';
import type { DecodedEvent } from './decoded-event.ts';
import { normalizeEvent, type NormalizeContext } from './normalize-event.ts';
import { checkValueLimits } from './value-limits.ts';

const CONFLUENT_MAGIC = 0;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** What decode needs of a Kafka message. */
export interface RawMessage extends MessageOrigin {
  readonly value: Buffer | null;
}

export type WireFormat = 'json' | 'avro' | 'avro-confluent';

/**
 * bytes → decoded event, or a dead letter. Pure apart from the schema cache: every bad input
 * becomes a reason by rule (a library throwing anyway is caught by decode-step.ts).
 */
export class MessageDecoder {
  readonly #config: DecodeConfig;
  readonly #schemas: AvroSchemas | undefined;

  constructor(config: DecodeConfig, schemas: AvroSchemas | undefined) {
    this.#config = config;
    this.#schemas = schemas;
    if (schemas !== undefined) readAvroStringsStrictly();
  }

  /** The largest `properties` text a row may store (decode.maxPropertiesBytes). */
  get maxPropertiesBytes(): number {
    return this.#config.maxPropertiesBytes;
  }

  /** A Confluent schema id this message needs fetched from the registry first, if any. */
  pendingSchemaId(value: Buffer | null): number | undefined {
    if (value === null || this.#schemas === undefined || this.formatOf(value) !== 'avro-confluent')
      return undefined;
    if (value.length < 5) return undefined;
    const id = value.readUInt32BE(1);
    return this.#schemas.needsLookup(id) ? id : undefined;
  }

  /** bytes → parsed event with its row, `properties` not yet serialised. */
  decodeEvent(message: RawMessage, context: NormalizeContext): Outcome<DecodedEvent> {
    const { value } = message;
    const unread = unreadBatchReason(value);
    if (unread !== undefined) return deadLetter('message_too_large', `message not read: ${unread}`);
    if (value === null || value.length === 0)
      return deadLetter('not_an_object', 'empty message (no value)');
    if (value.length > this.#config.maxMessageBytes) {
      return deadLetter(
        'message_too_large',
        `message is ${value.length} bytes, above the ${this.#config.maxMessageBytes}-byte limit`,
      );
    }
    const format = this.formatOf(value);
    const raw = format === 'json' ? decodeJson(value) : this.#decodeAvro(value, format);
    if (!raw.ok) return raw;
    const tooBig = checkValueLimits(raw.value, this.#config);
    if (tooBig !== undefined) return tooBig;
    return normalizeEvent(raw.value, message, this.#config, context);
  }

  formatOf(value: Buffer): WireFormat {
    const configured = this.#config.format;
    if (configured !== 'auto') return configured;
    return value[0] === CONFLUENT_MAGIC ? 'avro-confluent' : 'json';
  }

  #decodeAvro(value: Buffer, format: 'avro' | 'avro-confluent'): Outcome<unknown> {
    const schemas = this.#schemas;
    if (schemas === undefined)
      return deadLetter('invalid_avro', 'Avro message but no Avro schema is configured');
    let payload = value;
    let writer: WriterSchema = schemas.plainWriter;
    if (format === 'avro-confluent') {
      if (value.length < 5 || value[0] !== CONFLUENT_MAGIC) {
        return deadLetter(
          'invalid_avro',
          'not in Confluent wire format (magic byte 0 + 4-byte schema id)',
        );
      }
      const id = value.readUInt32BE(1);
      const known = schemas.writer(id);
      if (!known.ok) return known;
      payload = value.subarray(5);
      writer = known.value;
    }
    // avsc trusts block counts until the end (avro-block-counts.ts): check them first.
    const implausible = writer.repeats ? blockCountProblem(writer.type, payload) : undefined;
    if (implausible !== undefined) {
      return deadLetter('invalid_avro', `Avro decoding failed: ${implausible}`);
    }
    const { resolver } = writer;
    const type = resolver === undefined ? writer.type : schemas.reader;
    try {
      return {
        ok: true,
        value:
          resolver === undefined ? type.fromBuffer(payload) : type.fromBuffer(payload, resolver),
      };
    } catch (err) {
      if (err instanceof InvalidAvroUtf8) return deadLetter('invalid_utf8', err.message);
      return deadLetter(
        'invalid_avro',
        `Avro decoding failed: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }
}

function decodeJson(value: Buffer): Outcome<unknown> {
  let text: string;
  try {
    text = utf8.decode(value);
  } catch {
    return deadLetter('invalid_utf8', 'message is not valid UTF-8');
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return deadLetter(
      'invalid_json',
      `invalid JSON: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}
