import { z } from 'zod';
import { setting } from './setting.ts';
import { nonNegativeInt, positiveInt } from './value-types.ts';

/** How message bytes become events, and the limits past which an event is dead-lettered. */
export const DECODE_SETTINGS = {
  format: setting({
    env: 'DECODE_FORMAT',
    type: z.enum(['json', 'avro', 'avro-confluent', 'auto']),
    default: 'auto',
    doc: 'json, avro, avro-confluent or auto (JSON or Confluent wire format by first byte)',
  }),
  avroSchemaFile: setting({
    env: 'DECODE_AVRO_SCHEMA_FILE',
    type: z.string(),
    default: 'schemas/avro/event.avsc',
    doc: 'Reader schema for Avro events',
  }),
  /** For wire-format messages. */
  avroSchemaIds: setting({
    env: 'DECODE_AVRO_SCHEMA_IDS',
    type: z.record(z.string().regex(/^\d+$/), z.string()),
    default: {},
    doc: 'Confluent schema ids to local files: `1=schemas/avro/event.avsc,2=...`',
  }),
  schemaRegistryUrl: setting({
    env: 'DECODE_SCHEMA_REGISTRY_URL',
    type: z.url(),
    optional: true,
    doc: 'Optional schema registry for ids not mapped locally (`https://user:pass@host/` works)',
  }),
  /** Confluent's basic.auth.user.info; credentials in the URL work too. */
  schemaRegistryUsername: setting({
    env: 'DECODE_SCHEMA_REGISTRY_USERNAME',
    type: z.string().min(1),
    optional: true,
    doc: 'Schema registry basic-auth user (with `DECODE_SCHEMA_REGISTRY_PASSWORD`)',
  }),
  schemaRegistryPassword: setting({
    env: 'DECODE_SCHEMA_REGISTRY_PASSWORD',
    type: z.string(),
    optional: true,
    doc: 'Schema registry basic-auth password',
    secret: true,
    fromFile: true,
  }),
  /** Confluent's bearer.auth.token; not together with basic auth (registry-auth-issues.ts). */
  schemaRegistryToken: setting({
    env: 'DECODE_SCHEMA_REGISTRY_TOKEN',
    type: z.string().min(1),
    optional: true,
    doc: 'Schema registry bearer token (instead of basic auth)',
    secret: true,
    fromFile: true,
  }),
  maxMessageBytes: setting({
    env: 'DECODE_MAX_MESSAGE_BYTES',
    type: positiveInt,
    default: 1024 * 1024,
    doc: 'Larger messages are dead-lettered',
  }),
  maxPropertiesBytes: setting({
    env: 'DECODE_MAX_PROPERTIES_BYTES',
    type: positiveInt,
    default: 256 * 1024,
    doc: 'Larger `properties` are dead-lettered',
  }),
  /**
   * The event is level 1. Below ClickHouse's input_format_json_max_depth (1000); real events
   * rarely pass 10.
   */
  maxDepth: setting({
    env: 'DECODE_MAX_DEPTH',
    type: positiveInt.max(1000),
    default: 64,
    doc: 'Events nesting objects/arrays deeper are dead-lettered (`too_deeply_nested`; at most 1000)',
  }),
  maxKeys: setting({
    env: 'DECODE_MAX_KEYS',
    type: positiveInt,
    default: 10_000,
    doc: 'Events with more keys + array items in all are dead-lettered (`too_many_keys`)',
  }),
  /** Values and keys alike; as long as the properties limit by default. */
  maxStringLength: setting({
    env: 'DECODE_MAX_STRING_LENGTH',
    type: positiveInt,
    default: 256 * 1024,
    doc: 'Events holding a longer string (characters) are dead-lettered (`string_too_long`)',
  }),
  /** The clock skew of senders. */
  maxFutureSkewMs: setting({
    env: 'DECODE_MAX_FUTURE_SKEW_MS',
    type: nonNegativeInt,
    default: 24 * 60 * 60 * 1000,
    doc: 'How far in the future a timestamp may be',
  }),
  /** broker-time keeps the original timestamp in properties. */
  timestampSkewPolicy: setting({
    env: 'DECODE_TIMESTAMP_SKEW_POLICY',
    type: z.enum(['reject', 'broker-time']),
    default: 'reject',
    doc: '`reject` (dead-letter) or `broker-time` (use the Kafka timestamp)',
  }),
};
