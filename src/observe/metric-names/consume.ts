import type { MetricSpec } from './metric-spec.ts';

/** Consuming: messages taken in, partitions held and paused, memory buffered. */
export const CONSUME_METRICS = {
  messagesConsumed: {
    name: 'hanzo_ingest_messages_consumed_total',
    kind: 'counter',
    help: 'Kafka messages taken into the pipeline (rows and dead letters), counted per fetched batch',
    labels: ['topic'],
  },
  rebalances: {
    name: 'hanzo_ingest_rebalances_total',
    kind: 'counter',
    help: 'Consumer group generations this worker joined (each join follows a rebalance)',
    labels: [],
  },
  assignedPartitions: {
    name: 'hanzo_ingest_assigned_partitions',
    kind: 'gauge',
    help: 'Partitions assigned to this worker in the current group generation',
    labels: ['topic'],
  },
  pausedPartitions: {
    name: 'hanzo_ingest_paused_partitions',
    kind: 'gauge',
    help: 'Partitions this worker paused for backpressure (sealed batch waiting, failing insert, memory budget)',
    labels: [],
  },
  bufferedBytes: {
    name: 'hanzo_ingest_buffered_bytes',
    kind: 'gauge',
    help: 'Bytes held in memory across all partitions (open, waiting and in-flight batches)',
    labels: [],
  },
  fetchDecompressErrors: {
    name: 'hanzo_ingest_fetch_decompress_errors_total',
    kind: 'counter',
    help: 'Fetched record batches that could not be decompressed, by codec (the fetch is retried)',
    labels: ['codec'],
  },
  oldestUnflushedAge: {
    name: 'hanzo_ingest_oldest_unflushed_age_seconds',
    kind: 'gauge',
    help: 'Age of the oldest message this worker holds that has not landed in ClickHouse yet (0: none)',
    labels: [],
  },
} as const satisfies Record<string, MetricSpec>;
