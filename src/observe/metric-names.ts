/**
 * Every Prometheus metric the worker exports: name, type, labels, help and buckets, in one
 * list. The dashboard (docker/grafana/dashboards/hanzo-ingest.json) and the alert rules
 * (docker/prometheus/alerts.yml) query these names; a test checks each of their
 * expressions against a running worker.
 *
 * Every series also carries `group` (the consumer group, a default label of the worker's
 * registry); Prometheus adds `job` and `instance`. Broker-side series (consumer lag, offsets,
 * group members) are exported by every replica with the same labels: dashboards and alerts
 * read them with `max by (group, topic, partition)`.
 *
 * Process metrics (`process_*`, `nodejs_*`) come from prom-client's default collectors.
 */
export type MetricKind = 'counter' | 'gauge' | 'histogram';

export interface MetricSpec {
  readonly name: string;
  readonly kind: MetricKind;
  readonly help: string;
  readonly labels: readonly string[];
  readonly buckets?: readonly number[];
}

/** The registry's default label: the consumer group of this worker. */
export const GROUP_LABEL = 'group';

const SECONDS_FAST = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const SECONDS_INSERT = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export const METRICS = {
  // consume
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
    help: 'Partitions this worker paused for backpressure (full lane, failing insert, memory budget)',
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

  // batch and sink
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

  // commit and dead letters
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
  deadLetters: {
    name: 'hanzo_ingest_dead_letters_total',
    kind: 'counter',
    help: 'Messages written to the dead-letter topic, by reason and stage',
    labels: ['reason', 'stage'],
  },
  dlqWriteFailures: {
    name: 'hanzo_ingest_dlq_write_failures_total',
    kind: 'counter',
    help: "Failed writes to the dead-letter topic (after the client's own retries), by the broker's error; each is retried",
    labels: ['error'],
  },
  dlqWritable: {
    name: 'hanzo_ingest_dlq_writable',
    kind: 'gauge',
    help: '1 while dead letters can be written (the last write was acknowledged), 0 while writes to the dead-letter topic fail',
    labels: [],
  },

  // enrichment
  geoMisses: {
    name: 'hanzo_ingest_enrich_geo_misses_total',
    kind: 'counter',
    help: 'Events with an IP but no geo values, by reason (invalid, private, not_found)',
    labels: ['reason'],
  },
  userAgentsUnparsed: {
    name: 'hanzo_ingest_enrich_user_agents_unparsed_total',
    kind: 'counter',
    help: 'User agent strings that yielded no browser and no OS',
    labels: [],
  },
  unknownModels: {
    name: 'hanzo_ingest_enrich_unknown_models_total',
    kind: 'counter',
    help: 'LLM events whose model has no price (cost 0), by provider and model (capped; the rest as model="other")',
    labels: ['provider', 'model'],
  },
  contentScrubbed: {
    name: 'hanzo_ingest_enrich_llm_content_scrubbed_total',
    kind: 'counter',
    help: 'Raw LLM content fields removed from properties, by key',
    labels: ['key'],
  },

  sdkDeviceDisagreements: {
    name: 'hanzo_ingest_enrich_sdk_device_disagreements_total',
    kind: 'counter',
    help: "Events whose SDK device property ($browser, $os, their versions, $device_type) differs from the parsed user agent, by column (the SDK's value is stored)",
    labels: ['column'],
  },
  geoipDisabled: {
    name: 'hanzo_ingest_enrich_geoip_disabled_total',
    kind: 'counter',
    help: 'Events with $geoip_disable (or another ENRICH_GEOIP_DISABLE_FIELDS switch) on: not located, client IP removed',
    labels: [],
  },
  unknownFieldsFolded: {
    name: 'hanzo_ingest_decode_unknown_fields_folded_total',
    kind: 'counter',
    help: 'Top-level fields outside the input contract folded into properties, by field (capped; the rest as field="other")',
    labels: ['field'],
  },

  // per-team retention (team_settings in PostgreSQL)
  teamSettingsRefreshFailures: {
    name: 'hanzo_ingest_team_settings_refresh_failures_total',
    kind: 'counter',
    help: 'Reads of team_settings from PostgreSQL that failed (the last known settings, or 12 months, stay in use)',
    labels: [],
  },
  teamSettingsAge: {
    name: 'hanzo_ingest_team_settings_age_seconds',
    kind: 'gauge',
    help: 'Age of the team settings in use (since the last successful read; since start-up before any)',
    labels: [],
  },
  teamSettingsTeams: {
    name: 'hanzo_ingest_team_settings_teams',
    kind: 'gauge',
    help: 'Teams with a retention override in the settings in use',
    labels: [],
  },

  // broker-side lag (same value from every replica: read with max by (group, topic, partition))
  consumerLag: {
    name: 'hanzo_ingest_consumer_lag',
    kind: 'gauge',
    help: "Messages between the group's committed offset and the log end, per partition, read from the broker",
    labels: ['topic', 'partition'],
  },
  logEndOffset: {
    name: 'hanzo_ingest_log_end_offset',
    kind: 'gauge',
    help: 'Log-end (high watermark) offset per partition, read from the broker',
    labels: ['topic', 'partition'],
  },
  committedOffset: {
    name: 'hanzo_ingest_committed_offset',
    kind: 'gauge',
    help: "The group's committed offset per partition, read from the broker (absent: never committed)",
    labels: ['topic', 'partition'],
  },
  groupMembers: {
    name: 'hanzo_ingest_consumer_group_members',
    kind: 'gauge',
    help: 'Members of the consumer group, as the group coordinator reports them',
    labels: [],
  },
  lagRefreshed: {
    name: 'hanzo_ingest_lag_refresh_timestamp_seconds',
    kind: 'gauge',
    help: 'Unix time of the last successful read of the broker-side lag',
    labels: [],
  },
  lagRefreshErrors: {
    name: 'hanzo_ingest_lag_refresh_errors_total',
    kind: 'counter',
    help: 'Failed reads of the broker-side lag',
    labels: [],
  },

  // mode kafka-engine: ClickHouse's own consumers, from system.kafka_consumers (read with the
  // lag; `table` is the Kafka table, `consumer` ClickHouse's consumer_id). Counters restart
  // when ClickHouse re-creates a consumer, which rate() and increase() handle.
  kafkaEngineConsumers: {
    name: 'hanzo_ingest_kafka_engine_consumers',
    kind: 'gauge',
    help: 'Consumers ClickHouse runs for the Kafka table (system.kafka_consumers)',
    labels: ['table'],
  },
  kafkaEngineUnassignedPartitions: {
    name: 'hanzo_ingest_kafka_engine_unassigned_partitions',
    kind: 'gauge',
    help: 'Partitions of the consumed topics that no Kafka-engine consumer holds',
    labels: ['table'],
  },
  kafkaEngineUncommitted: {
    name: 'hanzo_ingest_kafka_engine_uncommitted_messages',
    kind: 'gauge',
    help: "Messages the Kafka-engine consumer read past the group's committed offset (a block being parsed and inserted)",
    labels: ['table', 'topic', 'partition'],
  },
  kafkaEngineAssignedPartitions: {
    name: 'hanzo_ingest_kafka_engine_assigned_partitions',
    kind: 'gauge',
    help: 'Partitions assigned to the Kafka-engine consumer',
    labels: ['table', 'consumer'],
  },
  kafkaEngineMessagesRead: {
    name: 'hanzo_ingest_kafka_engine_messages_read_total',
    kind: 'counter',
    help: 'Messages the Kafka-engine consumer read (num_messages_read)',
    labels: ['table', 'consumer'],
  },
  kafkaEngineCommits: {
    name: 'hanzo_ingest_kafka_engine_commits_total',
    kind: 'counter',
    help: 'Offset commits of the Kafka-engine consumer (num_commits)',
    labels: ['table', 'consumer'],
  },
  kafkaEngineRebalances: {
    name: 'hanzo_ingest_kafka_engine_rebalances_total',
    kind: 'counter',
    help: 'Rebalance events of the Kafka-engine consumer, by event (assigned, revoked)',
    labels: ['table', 'consumer', 'event'],
  },
  kafkaEngineLastPoll: {
    name: 'hanzo_ingest_kafka_engine_last_poll_timestamp_seconds',
    kind: 'gauge',
    help: "Unix time of the Kafka-engine consumer's last poll (0: never)",
    labels: ['table', 'consumer'],
  },
  kafkaEngineLastCommit: {
    name: 'hanzo_ingest_kafka_engine_last_commit_timestamp_seconds',
    kind: 'gauge',
    help: "Unix time of the Kafka-engine consumer's last offset commit (0: never)",
    labels: ['table', 'consumer'],
  },
  kafkaEngineLastException: {
    name: 'hanzo_ingest_kafka_engine_last_exception_timestamp_seconds',
    kind: 'gauge',
    help: "Unix time of the Kafka-engine consumer's newest exception (0: none kept)",
    labels: ['table', 'consumer'],
  },
  kafkaEngineRecentExceptions: {
    name: 'hanzo_ingest_kafka_engine_recent_exceptions',
    kind: 'gauge',
    help: 'Exceptions ClickHouse keeps for the Kafka-engine consumer (its 10 most recent)',
    labels: ['table', 'consumer'],
  },
  kafkaEngineConsumerInUse: {
    name: 'hanzo_ingest_kafka_engine_consumer_in_use',
    kind: 'gauge',
    help: '1 while ClickHouse uses the Kafka-engine consumer (is_currently_used), else 0',
    labels: ['table', 'consumer'],
  },

  // ClickHouse health, from the worker's probe
  clickhouseUp: {
    name: 'hanzo_ingest_clickhouse_up',
    kind: 'gauge',
    help: '1 when the last probe of ClickHouse succeeded, else 0',
    labels: [],
  },
  clickhouseActiveParts: {
    name: 'hanzo_ingest_clickhouse_active_parts',
    kind: 'gauge',
    help: 'Active data parts of the events table (system.parts; HIP-47 alerts above 300)',
    labels: ['database', 'table'],
  },
  clickhouseMaxPartsPerPartition: {
    name: 'hanzo_ingest_clickhouse_max_parts_per_partition',
    kind: 'gauge',
    help: "Active parts in the events table's fullest partition (inserts fail at parts_to_throw_insert)",
    labels: ['database', 'table'],
  },
  clickhouseReplicaDelay: {
    name: 'hanzo_ingest_clickhouse_replica_delay_seconds',
    kind: 'gauge',
    help: 'Largest replication delay of a replicated table in the database (system.replicas; 0 when none is replicated)',
    labels: ['database'],
  },

  // the process
  ready: {
    name: 'hanzo_ingest_ready',
    kind: 'gauge',
    help: '1 when /readyz reports ready, else 0',
    labels: [],
  },
  memoryLimit: {
    name: 'hanzo_ingest_memory_limit_bytes',
    kind: 'gauge',
    help: 'Memory the process may use: the cgroup limit, else the machine total',
    labels: [],
  },
  workerInfo: {
    name: 'hanzo_ingest_worker_info',
    kind: 'gauge',
    help: 'Always 1; labels identify the worker and its version',
    labels: ['worker_id', 'version'],
  },
} as const satisfies Record<string, MetricSpec>;

export type MetricKey = keyof typeof METRICS;
