import { z } from 'zod';
import { group, optionalGroup, setting } from './setting.ts';
import { positiveInt } from './value-types.ts';
import { DEFAULT_MAX_DECOMPRESSED_BATCH_BYTES } from '../../consume/compression/record-codec.ts';

const topicName = z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'must be a valid Kafka topic name');

const DLQ_COMPRESSIONS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;

/** The brokers, the consumer group and the dead-letter topic. */
export const KAFKA_SETTINGS = {
  brokers: setting({
    env: 'KAFKA_BROKERS',
    type: z.array(z.string().regex(/^[^\s:]+:\d+$/, 'must be host:port')).min(1),
    doc: 'Bootstrap brokers, comma-separated host:port (required)',
  }),
  clientId: setting({
    env: 'KAFKA_CLIENT_ID',
    type: z.string().min(1),
    default: 'hanzo-ingest',
    doc: 'Kafka client id',
  }),
  groupId: setting({
    env: 'KAFKA_GROUP_ID',
    type: z.string().min(1),
    default: 'hanzo-ingest',
    doc: 'Consumer group shared by all replicas',
  }),
  topics: setting({
    env: 'KAFKA_TOPICS',
    type: z.array(topicName).min(1),
    default: ['hanzo_events'],
    doc: 'Topics to consume, comma-separated',
  }),
  dlqTopic: setting({
    env: 'KAFKA_DLQ_TOPIC',
    type: topicName,
    default: 'hanzo_events_dlq',
    doc: 'Dead-letter topic',
  }),
  /**
   * None by default: dead letters are few and small, and an uncompressed topic is readable by
   * every tool (older librdkafka builds lack zstd, plain kafkajs lacks all but gzip).
   */
  dlqCompression: setting({
    env: 'KAFKA_DLQ_COMPRESSION',
    type: z.enum(DLQ_COMPRESSIONS, {
      error: (issue) =>
        `expected one of ${DLQ_COMPRESSIONS.join(', ')}, got ${JSON.stringify(issue.input)}`,
    }),
    default: 'none',
    doc: 'Codec of the dead letters written: none, gzip, snappy, lz4 or zstd',
  }),
  /** Where a partition with no committed offset starts: a new group's, or one added later. */
  fromBeginning: setting({
    env: 'KAFKA_FROM_BEGINNING',
    type: z.boolean(),
    default: true,
    doc: 'A partition without a committed offset (a new group, a partition added later) starts at the earliest offset (else the latest: what it held is skipped)',
  }),
  /**
   * Out of range: below the log start (retention, DeleteRecords) or beyond the log end (topic
   * re-created, truncated). A reset that skips readable data is an error log and
   * hanzo_ingest_offset_resets_total.
   */
  offsetOutOfRange: setting({
    env: 'KAFKA_OFFSET_OUT_OF_RANGE',
    type: z.enum(['earliest', 'latest']),
    default: 'earliest',
    doc: '`earliest` or `latest`: where a committed offset outside the log restarts',
  }),
  ssl: group({
    enabled: setting({
      env: 'KAFKA_SSL',
      type: z.boolean(),
      default: false,
      doc: 'Connect to the brokers over TLS',
    }),
    caFile: setting({
      env: 'KAFKA_SSL_CA_FILE',
      type: z.string(),
      optional: true,
      doc: 'CA bundle (PEM) for the brokers',
    }),
    certFile: setting({
      env: 'KAFKA_SSL_CERT_FILE',
      type: z.string(),
      optional: true,
      doc: 'Client certificate (PEM) for mutual TLS',
    }),
    keyFile: setting({
      env: 'KAFKA_SSL_KEY_FILE',
      type: z.string(),
      optional: true,
      doc: 'Client key (PEM) for mutual TLS',
    }),
    rejectUnauthorized: setting({
      env: 'KAFKA_SSL_REJECT_UNAUTHORIZED',
      type: z.boolean(),
      default: true,
      doc: 'Verify the brokers\u2019 certificates',
    }),
  }),
  sasl: optionalGroup({
    mechanism: setting({
      env: 'KAFKA_SASL_MECHANISM',
      type: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']),
      doc: 'plain, scram-sha-256 or scram-sha-512',
    }),
    username: setting({
      env: 'KAFKA_SASL_USERNAME',
      type: z.string().min(1),
      doc: 'SASL user',
    }),
    password: setting({
      env: 'KAFKA_SASL_PASSWORD',
      type: z.string().min(1),
      doc: 'SASL password',
      secret: true,
      fromFile: true,
    }),
  }),
  sessionTimeoutMs: setting({
    env: 'KAFKA_SESSION_TIMEOUT_MS',
    type: positiveInt,
    default: 45_000,
    doc: 'Group session timeout',
  }),
  rebalanceTimeoutMs: setting({
    env: 'KAFKA_REBALANCE_TIMEOUT_MS',
    type: positiveInt,
    default: 60_000,
    doc: 'Group rebalance timeout (above the insert timeout)',
  }),
  heartbeatIntervalMs: setting({
    env: 'KAFKA_HEARTBEAT_INTERVAL_MS',
    type: positiveInt,
    default: 3_000,
    doc: 'Heartbeat interval (at most a third of the session timeout)',
  }),
  /** All partitions together. */
  fetchMaxBytes: setting({
    env: 'KAFKA_FETCH_MAX_BYTES',
    type: positiveInt,
    default: 16 * 1024 * 1024,
    doc: 'Max bytes of one fetch response',
  }),
  /** Large enough for a few thousand events. */
  fetchMaxBytesPerPartition: setting({
    env: 'KAFKA_FETCH_MAX_BYTES_PER_PARTITION',
    type: positiveInt,
    default: 4 * 1024 * 1024,
    doc: 'Max bytes per partition in one fetch',
  }),
  /**
   * kafkajs inflates a fetched batch whole before any message limit applies: a batch past
   * this becomes one `message_too_large` dead letter per record instead (a decompression bomb
   * of a few hundred KB would otherwise take gigabytes).
   */
  maxDecompressedBatchBytes: setting({
    env: 'KAFKA_MAX_DECOMPRESSED_BATCH_BYTES',
    type: positiveInt,
    default: DEFAULT_MAX_DECOMPRESSED_BATCH_BYTES,
    doc: 'Most one fetched record batch may decompress to; past it its records are dead letters',
  }),
  fetchMaxWaitMs: setting({
    env: 'KAFKA_FETCH_MAX_WAIT_MS',
    type: positiveInt,
    default: 250,
    doc: 'How long the broker may wait to fill a fetch',
  }),
  /** Fetched batches of that many partitions are handed to the pipeline at once. */
  partitionsConsumedConcurrently: setting({
    env: 'KAFKA_PARTITIONS_CONSUMED_CONCURRENTLY',
    type: positiveInt,
    default: 4,
    doc: 'Fetched partitions handled concurrently',
  }),
};
