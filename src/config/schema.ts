import { z } from 'zod';
import { PIPELINE_ID_PATTERN } from '../batch/token-namespace.ts';
import { registryAuthIssues } from './registry-auth-issues.ts';
import { tlsSettingIssues } from './tls-setting-issues.ts';
import {
  BUNDLED_GEO_DATABASES,
  DEFAULT_GEOIP_DISABLE_FIELDS,
  DEFAULT_IP_FIELDS,
  DEFAULT_SCRUB_KEYS,
  DEFAULT_USER_AGENT_FIELDS,
  FIELD_PATH_PATTERN,
} from '../enrich/enrich-defaults.ts';

/**
 * The worker's configuration, parsed once at start-up (see load-config.ts).
 * Nested sections; every component receives only its own slice.
 * Unknown keys are rejected (`z.strictObject`).
 */

const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();
const identifier = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a plain SQL identifier (letters, digits, _)');
const topicName = z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'must be a valid Kafka topic name');

const DLQ_COMPRESSIONS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;

const kafkaSchema = z.strictObject({
  brokers: z.array(z.string().regex(/^[^\s:]+:\d+$/, 'must be host:port')).min(1),
  clientId: z.string().min(1).default('hanzo-ingest'),
  groupId: z.string().min(1).default('hanzo-ingest'),
  topics: z.array(topicName).min(1).default(['hanzo_events']),
  dlqTopic: topicName.default('hanzo_events_dlq'),
  /**
   * Codec of the dead-letter producer. None by default: dead letters are few and small, and
   * an uncompressed topic is readable by every tool (older librdkafka builds lack zstd,
   * plain kafkajs lacks all but gzip).
   */
  dlqCompression: z
    .enum(DLQ_COMPRESSIONS, {
      error: (issue) =>
        `expected one of ${DLQ_COMPRESSIONS.join(', ')}, got ${JSON.stringify(issue.input)}`,
    })
    .default('none'),
  /** Where a group with no committed offset starts. */
  fromBeginning: z.boolean().default(true),
  /**
   * Where a partition restarts when its committed offset is out of range (below the log start:
   * retention, DeleteRecords; beyond the log end: topic re-created, truncated). A reset that
   * skips readable data is an error log and hanzo_ingest_offset_resets_total.
   */
  offsetOutOfRange: z.enum(['earliest', 'latest']).default('earliest'),
  ssl: z
    .strictObject({
      enabled: z.boolean().default(false),
      caFile: z.string().optional(),
      certFile: z.string().optional(),
      keyFile: z.string().optional(),
      rejectUnauthorized: z.boolean().default(true),
    })
    .default({ enabled: false, rejectUnauthorized: true }),
  sasl: z
    .strictObject({
      mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']),
      username: z.string().min(1),
      password: z.string().min(1),
    })
    .optional(),
  sessionTimeoutMs: positiveInt.default(45_000),
  rebalanceTimeoutMs: positiveInt.default(60_000),
  heartbeatIntervalMs: positiveInt.default(3_000),
  /** Upper bound of one fetch response (all partitions). */
  fetchMaxBytes: positiveInt.default(16 * 1024 * 1024),
  /** Upper bound per partition in one fetch: large enough for a few thousand events. */
  fetchMaxBytesPerPartition: positiveInt.default(4 * 1024 * 1024),
  /** How long the broker may hold a fetch waiting for data. */
  fetchMaxWaitMs: positiveInt.default(250),
  /** Partitions whose fetched batches are handed to the pipeline concurrently. */
  partitionsConsumedConcurrently: positiveInt.default(4),
});

const clickhouseSchema = z.strictObject({
  url: z.url().default('http://127.0.0.1:8123'),
  username: z.string().default('default'),
  password: z.string().default(''),
  database: identifier.default('default'),
  table: identifier.default('events'),
  tls: z
    .strictObject({
      caFile: z.string().optional(),
      certFile: z.string().optional(),
      keyFile: z.string().optional(),
    })
    .default({}),
  /** Kept at or below the server's max_open_connections share for this worker. */
  maxOpenConnections: positiveInt.default(8),
  /**
   * gzip request bodies. Off by default: on a fast network it costs the worker ~13 µs of CPU
   * per event, a quarter of its work (BENCHMARKS.md); turn it on when bandwidth to ClickHouse
   * is what is scarce or billed.
   */
  requestCompression: z.boolean().default(false),
  /** Must stay below the server's keep_alive_timeout (3 s on older servers, 10 s on 24.x+). */
  keepAliveIdleMs: positiveInt.default(2_500),
  /** Apply pending schema migrations (schemas/migrations) at start-up. */
  migrateOnStart: z.boolean().default(false),
  /** Cluster for ON CLUSTER DDL and Replicated engines ('{cluster}' = the server macro); empty: single node. */
  cluster: z
    .string()
    .regex(/^[A-Za-z0-9_.{}-]*$/, 'must be a cluster name or a macro such as {cluster}')
    .default(''),
  /** Put Distributed tables (HIP-47 names) in front of sharded `<table>_local` tables. */
  distributed: z.boolean().default(false),
});

const batchSchema = z.strictObject({
  /** HIP-47 recommends 10,000–100,000 rows per insert. */
  maxRows: positiveInt.max(1_000_000).default(50_000),
  maxBytes: positiveInt.default(16 * 1024 * 1024),
  maxAgeMs: positiveInt.default(5_000),
});

const insertSchema = z.strictObject({
  maxInFlight: positiveInt.default(4),
  timeoutMs: positiveInt.default(30_000),
  retryInitialMs: positiveInt.default(500),
  retryMaxMs: positiveInt.default(30_000),
  /**
   * Most ClickHouse partitions (months) one insert block may touch; a batch spanning more is
   * split into deterministic sub-blocks. Sent as the insert's max_partitions_per_insert_block
   * (ClickHouse's default is 100), so the server and the worker agree on the limit.
   */
  maxPartitionsPerBlock: positiveInt.max(1_000).default(100),
});

const decodeSchema = z.strictObject({
  format: z.enum(['json', 'avro', 'avro-confluent', 'auto']).default('auto'),
  avroSchemaFile: z.string().default('schemas/avro/event.avsc'),
  /** Confluent schema id → local .avsc file, for wire-format messages. */
  avroSchemaIds: z.record(z.string().regex(/^\d+$/), z.string()).default({}),
  schemaRegistryUrl: z.url().optional(),
  /** Basic auth (Confluent's basic.auth.user.info); credentials in the URL work too. */
  schemaRegistryUsername: z.string().min(1).optional(),
  schemaRegistryPassword: z.string().optional(),
  /** Bearer auth (Confluent's bearer.auth.token); not together with basic auth. */
  schemaRegistryToken: z.string().min(1).optional(),
  maxMessageBytes: positiveInt.default(1024 * 1024),
  maxPropertiesBytes: positiveInt.default(256 * 1024),
  /**
   * Deepest nesting of objects/arrays an event may have (the event is level 1). Below
   * ClickHouse's input_format_json_max_depth (1000); real events rarely pass 10.
   */
  maxDepth: positiveInt.max(1000).default(64),
  /** Keys of all objects plus items of all arrays in one event. */
  maxKeys: positiveInt.default(10_000),
  /** Longest string (value or key) in characters; as long as the properties limit by default. */
  maxStringLength: positiveInt.default(256 * 1024),
  /** How far into the future an event timestamp may be (clock skew of senders). */
  maxFutureSkewMs: nonNegativeInt.default(24 * 60 * 60 * 1000),
  /** reject: dead-letter the event; broker-time: use the Kafka timestamp, keep the original in properties. */
  timestampSkewPolicy: z.enum(['reject', 'broker-time']).default('reject'),
});

/**
 * Per-team retention (HIP-47: enterprise teams MAY override the events TTL in PostgreSQL's
 * `team_settings`). Off while `url` is unset: every row keeps the table's 12 months.
 */
const teamSettingsSchema = z.strictObject({
  /** PostgreSQL connection string (postgres://user:password@host:port/db?sslmode=…). */
  url: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// or postgresql:// connection string')
    .optional(),
  /** Returns (team_id, retention_months); teams it does not return keep the default. */
  query: z
    .string()
    .min(1)
    .default(
      'SELECT team_id, retention_months FROM team_settings WHERE retention_months IS NOT NULL',
    ),
  /** How often the settings are read again; a new value reaches rows within this. */
  refreshMs: positiveInt.default(60_000),
  /** One read (connect + query) is abandoned after this; the last known settings stay. */
  timeoutMs: positiveInt.default(5_000),
});

/**
 * `mode: kafka-engine`: ClickHouse's Kafka table engine consumes the topics itself (HIP-47's
 * native path); the worker process only applies the DDL and exports lag. Same consumer group
 * as the worker mode (kafka.groupId), so a switch hands over at the committed offsets.
 */
const kafkaEngineSchema = z.strictObject({
  /** Consumers of the Kafka table per ClickHouse server (HIP-47: 4); at most the partitions and the server's cores. */
  numConsumers: positiveInt.max(64).default(4),
  /** Messages per block the engine hands to the views (HIP-47: 65536). */
  maxBlockSize: positiveInt.default(65_536),
  /** A block is flushed to the views at least this often (kafka_flush_interval_ms). */
  flushIntervalMs: positiveInt.default(7_500),
  /** One thread per consumer, each flushing on its own (kafka_thread_per_consumer). */
  threadPerConsumer: z.boolean().default(false),
  /** CSV of networks for geo in SQL (ip_trie dictionary): network,country_code,region,city. */
  geoNetworksFile: z.string().min(1).optional(),
});

/** Health endpoints and broker-side lag (the metrics port itself is `metricsPort`). */
const observeSchema = z.strictObject({
  /** How often the group's lag is read from the brokers (also the worker's Kafka check). */
  lagRefreshMs: positiveInt.default(10_000),
  /** How often ClickHouse is probed for /readyz (and its part counts read for the alerts). */
  clickhouseProbeMs: positiveInt.default(5_000),
  /** /readyz fails when the consume loop shows no activity for this long. */
  readyProgressMs: positiveInt.default(60_000),
});

const fieldPath = z
  .string()
  .regex(FIELD_PATH_PATTERN, 'must be a field path like properties.$ip or context.ip');

const enrichSchema = z.strictObject({
  geo: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** .mmdb files (MaxMind GeoIP2/GeoLite2 City or ip-location-db), tried in order. */
      databases: z
        .array(z.string().min(1))
        .min(1)
        .default([...BUNDLED_GEO_DATABASES]),
      cacheSize: nonNegativeInt.default(100_000),
      /** How often the database files are checked for replacement (0: never). */
      watchIntervalMs: nonNegativeInt.default(30_000),
    })
    .default({
      enabled: true,
      databases: [...BUNDLED_GEO_DATABASES],
      cacheSize: 100_000,
      watchIntervalMs: 30_000,
    }),
  userAgent: z
    .strictObject({
      enabled: z.boolean().default(true),
      cacheSize: nonNegativeInt.default(20_000),
    })
    .default({ enabled: true, cacheSize: 20_000 }),
  llmCost: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** JSON file of providers/models in genai-prices' format; wins over the bundled data. */
      overridesFile: z.string().min(1).optional(),
      /** Price events that carry their own cost_usd too (else a provided cost is kept). */
      recompute: z.boolean().default(false),
      cacheSize: nonNegativeInt.default(10_000),
    })
    .default({ enabled: true, recompute: false, cacheSize: 10_000 }),
  ipFields: z
    .array(fieldPath)
    .min(1)
    .default([...DEFAULT_IP_FIELDS]),
  userAgentFields: z
    .array(fieldPath)
    .min(1)
    .default([...DEFAULT_USER_AGENT_FIELDS]),
  scrubKeys: z.array(fieldPath).default([...DEFAULT_SCRUB_KEYS]),
  /** Switches that, when on, leave the geo columns empty and remove the client IP. */
  geoipDisableFields: z.array(fieldPath).default([...DEFAULT_GEOIP_DISABLE_FIELDS]),
  /** Keep the client IP in `properties` (by default it is removed once geo is resolved). */
  keepRawIp: z.boolean().default(false),
  /** Set: distinct_id is replaced by HMAC-SHA256(secret, distinct_id) in hex. */
  distinctIdSecret: z.string().min(16, 'must be at least 16 characters').optional(),
});

export const configSchema = z
  .strictObject({
    mode: z.enum(['worker', 'kafka-engine']).default('worker'),
    workerId: z.string().min(1),
    /** Namespace of deduplication tokens; default `<kafka cluster id>/<group id>` (token-namespace.ts). */
    pipelineId: z
      .string()
      .regex(PIPELINE_ID_PATTERN, 'must be 1-200 of A-Z a-z 0-9 . _ : / -')
      .optional(),
    kafka: kafkaSchema,
    clickhouse: clickhouseSchema.default(clickhouseSchema.parse({})),
    batch: batchSchema.default(batchSchema.parse({})),
    insert: insertSchema.default(insertSchema.parse({})),
    decode: decodeSchema.default(decodeSchema.parse({})),
    enrich: enrichSchema.default(enrichSchema.parse({})),
    observe: observeSchema.default(observeSchema.parse({})),
    kafkaEngine: kafkaEngineSchema.default(kafkaEngineSchema.parse({})),
    teamSettings: teamSettingsSchema.default(teamSettingsSchema.parse({})),
    /** Total bytes buffered across all partitions before every partition pauses. */
    maxBufferedBytes: positiveInt.default(64 * 1024 * 1024),
    logLevel: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
    metricsPort: z.number().int().min(0).max(65_535).default(9464),
    shutdownTimeoutMs: positiveInt.default(30_000),
  })
  .superRefine((c, ctx) => {
    if (c.clickhouse.distributed && c.clickhouse.cluster === '') {
      ctx.addIssue({
        code: 'custom',
        path: ['clickhouse', 'distributed'],
        message: 'needs clickhouse.cluster (Distributed tables span a cluster)',
      });
    }
    // Heartbeats keep flowing while inserts run (partitions pause, the handler never blocks),
    // but an insert attempt must still finish inside one rebalance window so a revoked
    // partition is released in time.
    if (c.insert.timeoutMs >= c.kafka.rebalanceTimeoutMs) {
      ctx.addIssue({
        code: 'custom',
        path: ['insert', 'timeoutMs'],
        message: `must be below kafka.rebalanceTimeoutMs (${c.kafka.rebalanceTimeoutMs})`,
      });
    }
    if (c.kafka.heartbeatIntervalMs * 3 > c.kafka.sessionTimeoutMs) {
      ctx.addIssue({
        code: 'custom',
        path: ['kafka', 'heartbeatIntervalMs'],
        message: `must be at most a third of kafka.sessionTimeoutMs (${c.kafka.sessionTimeoutMs})`,
      });
    }
    if (c.insert.retryInitialMs > c.insert.retryMaxMs) {
      ctx.addIssue({
        code: 'custom',
        path: ['insert', 'retryInitialMs'],
        message: 'must not exceed insert.retryMaxMs',
      });
    }
    if (c.batch.maxBytes * 2 > c.maxBufferedBytes) {
      ctx.addIssue({
        code: 'custom',
        path: ['maxBufferedBytes'],
        message: `must hold at least two batches (2 × batch.maxBytes = ${c.batch.maxBytes * 2})`,
      });
    }
    if (c.kafka.fetchMaxBytesPerPartition > c.kafka.fetchMaxBytes) {
      ctx.addIssue({
        code: 'custom',
        path: ['kafka', 'fetchMaxBytesPerPartition'],
        message: 'must not exceed kafka.fetchMaxBytes',
      });
    }
    for (const issue of tlsSettingIssues(c)) ctx.addIssue({ code: 'custom', ...issue });
    for (const issue of registryAuthIssues(c.decode)) ctx.addIssue({ code: 'custom', ...issue });
  });

export type Config = z.infer<typeof configSchema>;
export type KafkaConfig = Config['kafka'];
export type ClickHouseConfig = Config['clickhouse'];
export type BatchConfig = Config['batch'];
export type InsertConfig = Config['insert'];
export type DecodeConfig = Config['decode'];
export type EnrichConfig = Config['enrich'];
export type ObserveConfig = Config['observe'];
export type KafkaEngineConfig = Config['kafkaEngine'];
export type TeamSettingsConfig = Config['teamSettings'];
