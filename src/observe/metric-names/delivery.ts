import { SECONDS_FAST, SECONDS_INSERT, type MetricSpec } from './metric-spec.ts';

/** Delivery: batches, inserts into ClickHouse and the offset commits after them. */
export const DELIVERY_METRICS = {
  batchRows: {
    name: 'hanzo_ingest_batch_rows',
    kind: 'histogram',
    help: 'Rows per landed batch',
    labels: [],
    buckets: [10, 100, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000],
  },
  batchBytes: {
    name: 'hanzo_ingest_batch_bytes',
    kind: 'histogram',
    help: 'Bytes (JSON rows) per landed batch',
    labels: [],
    buckets: [16_384, 65_536, 262_144, 1_048_576, 4_194_304, 16_777_216, 33_554_432, 67_108_864],
  },
  batchAge: {
    name: 'hanzo_ingest_batch_age_seconds',
    kind: 'histogram',
    help: "Time from a batch's first message entering the worker until the batch landed",
    labels: [],
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
  },
  insertDuration: {
    name: 'hanzo_ingest_insert_duration_seconds',
    kind: 'histogram',
    help: 'Duration of one insert attempt into ClickHouse, by outcome (success or failure)',
    labels: ['outcome'],
    buckets: SECONDS_INSERT,
  },
  schemaRegistryErrors: {
    name: 'hanzo_ingest_schema_registry_errors_total',
    kind: 'counter',
    help: 'Schema registry lookups that failed and will be retried (unreachable, unauthorized, http_error); the partition waits',
    labels: ['error'],
  },
  insertRetries: {
    name: 'hanzo_ingest_insert_retries_total',
    kind: 'counter',
    help: 'Failed insert attempts that will be retried, by error class (ClickHouse error type or network code)',
    labels: ['error_class'],
  },
  insertsInFlight: {
    name: 'hanzo_ingest_inserts_in_flight',
    kind: 'gauge',
    help: 'Inserts running now (at most INSERT_MAX_IN_FLIGHT)',
    labels: [],
  },
  rowsInserted: {
    name: 'hanzo_ingest_rows_inserted_total',
    kind: 'counter',
    help: 'Rows ClickHouse acknowledged (deduplicated repeats included)',
    labels: ['table'],
  },
  bytesInserted: {
    name: 'hanzo_ingest_bytes_inserted_total',
    kind: 'counter',
    help: 'Bytes of JSON rows ClickHouse acknowledged',
    labels: ['table'],
  },
  // commit (after the insert)
  reformedRanges: {
    name: 'hanzo_ingest_reformed_ranges_total',
    kind: 'counter',
    help: 'Pending ranges re-formed after a crash or rebalance that differed from their record (part vanished from Kafka), by case; their rows are checked against ClickHouse before landing',
    labels: ['case'],
  },
  offsetResets: {
    name: 'hanzo_ingest_offset_resets_total',
    kind: 'counter',
    help: 'Committed offsets found out of range and reset (KAFKA_OFFSET_OUT_OF_RANGE), by reason (below_log_start, beyond_log_end) and whether readable data was skipped',
    labels: ['topic', 'reason', 'skipped_data'],
  },
  commitDuration: {
    name: 'hanzo_ingest_commit_duration_seconds',
    kind: 'histogram',
    help: 'Duration of one successful offset commit (pending-range and final commits)',
    labels: [],
    buckets: SECONDS_FAST,
  },
} as const satisfies Record<string, MetricSpec>;
