/**
 * The one list of environment variables the worker reads: name, where it lands in the
 * config, how its text is parsed, and whether it is a secret. The configuration
 * reference (docs/configuration.md) is printed from this list (`hanzo-ingest check-config --reference`).
 */
export type SettingKind = 'string' | 'int' | 'bool' | 'list' | 'map';

export interface EnvSetting {
  readonly env: string;
  readonly path: readonly string[];
  readonly kind: SettingKind;
  readonly secret?: boolean;
  /** Also accept `<env>_FILE` naming a file that holds the value (mounted secrets). */
  readonly fromFile?: boolean;
  readonly doc: string;
}

const s = (
  env: string,
  path: string,
  kind: SettingKind,
  doc: string,
  extra: Partial<Pick<EnvSetting, 'secret' | 'fromFile'>> = {},
): EnvSetting => ({ env, path: path.split('.'), kind, doc, ...extra });

export const ENV_SETTINGS: readonly EnvSetting[] = [
  s(
    'INGEST_MODE',
    'mode',
    'string',
    '`worker` (this process ingests) or `kafka-engine` (ClickHouse consumes natively)',
  ),
  s(
    'INGEST_WORKER_ID',
    'workerId',
    'string',
    'Identity in logs and dead-letter headers (default: hostname-pid)',
  ),
  s(
    'INGEST_PIPELINE_ID',
    'pipelineId',
    'string',
    'Namespace of deduplication tokens (default: Kafka cluster id/group id)',
  ),
  s(
    'INGEST_MAX_BUFFERED_BYTES',
    'maxBufferedBytes',
    'int',
    'Bytes buffered across all partitions before every partition pauses',
  ),
  s('LOG_LEVEL', 'logLevel', 'string', 'fatal, error, warn, info, debug, trace or silent'),
  s('METRICS_PORT', 'metricsPort', 'int', 'Port of /metrics, /healthz and /readyz (0: disabled)'),
  s('SHUTDOWN_TIMEOUT_MS', 'shutdownTimeoutMs', 'int', 'Drain deadline after SIGTERM/SIGINT'),
  s(
    'INGEST_LAG_REFRESH_MS',
    'observe.lagRefreshMs',
    'int',
    'How often the group\u2019s lag is read from the brokers',
  ),
  s(
    'INGEST_CLICKHOUSE_PROBE_MS',
    'observe.clickhouseProbeMs',
    'int',
    'How often /readyz probes ClickHouse',
  ),
  s(
    'INGEST_READY_PROGRESS_MS',
    'observe.readyProgressMs',
    'int',
    '/readyz fails when the consume loop is silent this long',
  ),

  s(
    'KAFKA_BROKERS',
    'kafka.brokers',
    'list',
    'Bootstrap brokers, comma-separated host:port (required)',
  ),
  s('KAFKA_CLIENT_ID', 'kafka.clientId', 'string', 'Kafka client id'),
  s('KAFKA_GROUP_ID', 'kafka.groupId', 'string', 'Consumer group shared by all replicas'),
  s('KAFKA_TOPICS', 'kafka.topics', 'list', 'Topics to consume, comma-separated'),
  s('KAFKA_DLQ_TOPIC', 'kafka.dlqTopic', 'string', 'Dead-letter topic'),
  s(
    'KAFKA_DLQ_COMPRESSION',
    'kafka.dlqCompression',
    'string',
    'Codec of the dead letters written: none, gzip, snappy, lz4 or zstd',
  ),
  s(
    'KAFKA_FROM_BEGINNING',
    'kafka.fromBeginning',
    'bool',
    'A new group starts at the earliest offset (else the latest)',
  ),
  s(
    'KAFKA_OFFSET_OUT_OF_RANGE',
    'kafka.offsetOutOfRange',
    'string',
    '`earliest` or `latest`: where a committed offset outside the log restarts',
  ),
  s('KAFKA_SSL', 'kafka.ssl.enabled', 'bool', 'Connect to the brokers over TLS'),
  s('KAFKA_SSL_CA_FILE', 'kafka.ssl.caFile', 'string', 'CA bundle (PEM) for the brokers'),
  s(
    'KAFKA_SSL_CERT_FILE',
    'kafka.ssl.certFile',
    'string',
    'Client certificate (PEM) for mutual TLS',
  ),
  s('KAFKA_SSL_KEY_FILE', 'kafka.ssl.keyFile', 'string', 'Client key (PEM) for mutual TLS'),
  s(
    'KAFKA_SSL_REJECT_UNAUTHORIZED',
    'kafka.ssl.rejectUnauthorized',
    'bool',
    'Verify the brokers\u2019 certificates',
  ),
  s(
    'KAFKA_SASL_MECHANISM',
    'kafka.sasl.mechanism',
    'string',
    'plain, scram-sha-256 or scram-sha-512',
  ),
  s('KAFKA_SASL_USERNAME', 'kafka.sasl.username', 'string', 'SASL user'),
  s('KAFKA_SASL_PASSWORD', 'kafka.sasl.password', 'string', 'SASL password', {
    secret: true,
    fromFile: true,
  }),
  s('KAFKA_SESSION_TIMEOUT_MS', 'kafka.sessionTimeoutMs', 'int', 'Group session timeout'),
  s(
    'KAFKA_REBALANCE_TIMEOUT_MS',
    'kafka.rebalanceTimeoutMs',
    'int',
    'Group rebalance timeout (above the insert timeout)',
  ),
  s(
    'KAFKA_HEARTBEAT_INTERVAL_MS',
    'kafka.heartbeatIntervalMs',
    'int',
    'Heartbeat interval (at most a third of the session timeout)',
  ),
  s('KAFKA_FETCH_MAX_BYTES', 'kafka.fetchMaxBytes', 'int', 'Max bytes of one fetch response'),
  s(
    'KAFKA_FETCH_MAX_BYTES_PER_PARTITION',
    'kafka.fetchMaxBytesPerPartition',
    'int',
    'Max bytes per partition in one fetch',
  ),
  s(
    'KAFKA_FETCH_MAX_WAIT_MS',
    'kafka.fetchMaxWaitMs',
    'int',
    'How long the broker may wait to fill a fetch',
  ),
  s(
    'KAFKA_PARTITIONS_CONSUMED_CONCURRENTLY',
    'kafka.partitionsConsumedConcurrently',
    'int',
    'Fetched partitions handled concurrently',
  ),

  s('CLICKHOUSE_URL', 'clickhouse.url', 'string', 'ClickHouse HTTP(S) URL'),
  s('CLICKHOUSE_USER', 'clickhouse.username', 'string', 'ClickHouse user'),
  s('CLICKHOUSE_PASSWORD', 'clickhouse.password', 'string', 'ClickHouse password', {
    secret: true,
    fromFile: true,
  }),
  s('CLICKHOUSE_DATABASE', 'clickhouse.database', 'string', 'Database of the events table'),
  s('CLICKHOUSE_TABLE', 'clickhouse.table', 'string', 'Events table'),
  s(
    'CLICKHOUSE_TLS_CA_FILE',
    'clickhouse.tls.caFile',
    'string',
    'CA bundle (PEM) for an https URL',
  ),
  s(
    'CLICKHOUSE_TLS_CERT_FILE',
    'clickhouse.tls.certFile',
    'string',
    'Client certificate (PEM) for mutual TLS',
  ),
  s(
    'CLICKHOUSE_TLS_KEY_FILE',
    'clickhouse.tls.keyFile',
    'string',
    'Client key (PEM) for mutual TLS',
  ),
  s(
    'CLICKHOUSE_MAX_OPEN_CONNECTIONS',
    'clickhouse.maxOpenConnections',
    'int',
    'HTTP connections to ClickHouse',
  ),
  s(
    'CLICKHOUSE_REQUEST_COMPRESSION',
    'clickhouse.requestCompression',
    'bool',
    'gzip insert bodies',
  ),
  s(
    'CLICKHOUSE_KEEP_ALIVE_IDLE_MS',
    'clickhouse.keepAliveIdleMs',
    'int',
    'Idle socket lifetime, below the server keep_alive_timeout',
  ),
  s(
    'CLICKHOUSE_MIGRATE_ON_START',
    'clickhouse.migrateOnStart',
    'bool',
    'Apply pending migrations at start-up',
  ),
  s(
    'CLICKHOUSE_CLUSTER',
    'clickhouse.cluster',
    'string',
    'Cluster for ON CLUSTER DDL and Replicated tables (`{cluster}`: the server macro); empty: single node',
  ),
  s(
    'CLICKHOUSE_DISTRIBUTED',
    'clickhouse.distributed',
    'bool',
    'Distributed tables in front of sharded `<table>_local` tables (needs CLICKHOUSE_CLUSTER)',
  ),

  s('BATCH_MAX_ROWS', 'batch.maxRows', 'int', 'Rows per insert (HIP-47: 10,000–100,000)'),
  s('BATCH_MAX_BYTES', 'batch.maxBytes', 'int', 'Bytes per insert'),
  s(
    'BATCH_MAX_AGE_MS',
    'batch.maxAgeMs',
    'int',
    'Flush a partition\u2019s batch at the latest after this long (each partition at 80\u2013100 % of it, so they do not flush in lockstep)',
  ),

  s(
    'INSERT_MAX_IN_FLIGHT',
    'insert.maxInFlight',
    'int',
    'Concurrent inserts (one per partition at a time)',
  ),
  s('INSERT_TIMEOUT_MS', 'insert.timeoutMs', 'int', 'Timeout of one insert attempt'),
  s(
    'INSERT_RETRY_INITIAL_MS',
    'insert.retryInitialMs',
    'int',
    'First retry delay (doubles, with jitter)',
  ),
  s(
    'INSERT_RETRY_MAX_MS',
    'insert.retryMaxMs',
    'int',
    'Longest retry delay; transient failures retry forever',
  ),
  s(
    'INSERT_MAX_PARTITIONS_PER_BLOCK',
    'insert.maxPartitionsPerBlock',
    'int',
    'Most months one insert may touch; batches spanning more are split (sent as max_partitions_per_insert_block)',
  ),

  s(
    'DECODE_FORMAT',
    'decode.format',
    'string',
    'json, avro, avro-confluent or auto (JSON or Confluent wire format by first byte)',
  ),
  s('DECODE_AVRO_SCHEMA_FILE', 'decode.avroSchemaFile', 'string', 'Reader schema for Avro events'),
  s(
    'DECODE_AVRO_SCHEMA_IDS',
    'decode.avroSchemaIds',
    'map',
    'Confluent schema ids to local files: `1=schemas/avro/event.avsc,2=...`',
  ),
  s(
    'DECODE_SCHEMA_REGISTRY_URL',
    'decode.schemaRegistryUrl',
    'string',
    'Optional schema registry for ids not mapped locally (`https://user:pass@host/` works)',
  ),
  s(
    'DECODE_SCHEMA_REGISTRY_USERNAME',
    'decode.schemaRegistryUsername',
    'string',
    'Schema registry basic-auth user (with `DECODE_SCHEMA_REGISTRY_PASSWORD`)',
  ),
  s(
    'DECODE_SCHEMA_REGISTRY_PASSWORD',
    'decode.schemaRegistryPassword',
    'string',
    'Schema registry basic-auth password',
    { secret: true, fromFile: true },
  ),
  s(
    'DECODE_SCHEMA_REGISTRY_TOKEN',
    'decode.schemaRegistryToken',
    'string',
    'Schema registry bearer token (instead of basic auth)',
    { secret: true, fromFile: true },
  ),
  s(
    'DECODE_MAX_MESSAGE_BYTES',
    'decode.maxMessageBytes',
    'int',
    'Larger messages are dead-lettered',
  ),
  s(
    'DECODE_MAX_PROPERTIES_BYTES',
    'decode.maxPropertiesBytes',
    'int',
    'Larger `properties` are dead-lettered',
  ),
  s(
    'DECODE_MAX_DEPTH',
    'decode.maxDepth',
    'int',
    'Events nesting objects/arrays deeper are dead-lettered (`too_deeply_nested`; at most 1000)',
  ),
  s(
    'DECODE_MAX_KEYS',
    'decode.maxKeys',
    'int',
    'Events with more keys + array items in all are dead-lettered (`too_many_keys`)',
  ),
  s(
    'DECODE_MAX_STRING_LENGTH',
    'decode.maxStringLength',
    'int',
    'Events holding a longer string (characters) are dead-lettered (`string_too_long`)',
  ),
  s(
    'DECODE_MAX_FUTURE_SKEW_MS',
    'decode.maxFutureSkewMs',
    'int',
    'How far in the future a timestamp may be',
  ),
  s(
    'DECODE_TIMESTAMP_SKEW_POLICY',
    'decode.timestampSkewPolicy',
    'string',
    '`reject` (dead-letter) or `broker-time` (use the Kafka timestamp)',
  ),

  s(
    'ENRICH_GEO_ENABLED',
    'enrich.geo.enabled',
    'bool',
    'Fill country_code, region and city from the client IP',
  ),
  s(
    'ENRICH_GEO_DATABASES',
    'enrich.geo.databases',
    'list',
    'Geo .mmdb files (MaxMind City or ip-location-db), comma-separated; `npm:` = inside a package',
  ),
  s('ENRICH_GEO_CACHE_SIZE', 'enrich.geo.cacheSize', 'int', 'IP lookups kept in the LRU cache'),
  s(
    'ENRICH_GEO_WATCH_INTERVAL_MS',
    'enrich.geo.watchIntervalMs',
    'int',
    'How often geo files are checked for replacement and reloaded (0: never)',
  ),
  s(
    'ENRICH_USER_AGENT_ENABLED',
    'enrich.userAgent.enabled',
    'bool',
    'Fill browser, os, device_type from the user agent',
  ),
  s(
    'ENRICH_USER_AGENT_CACHE_SIZE',
    'enrich.userAgent.cacheSize',
    'int',
    'Parsed user agents kept in the LRU cache',
  ),
  s('ENRICH_LLM_COST_ENABLED', 'enrich.llmCost.enabled', 'bool', 'Compute cost_usd of LLM events'),
  s(
    'ENRICH_PRICING_OVERRIDES_FILE',
    'enrich.llmCost.overridesFile',
    'string',
    'JSON pricing overrides (genai-prices provider format); wins over the bundled prices',
  ),
  s(
    'ENRICH_RECOMPUTE_COST',
    'enrich.llmCost.recompute',
    'bool',
    'Price events that already carry cost_usd too (else their cost is kept)',
  ),
  s(
    'ENRICH_PRICING_CACHE_SIZE',
    'enrich.llmCost.cacheSize',
    'int',
    'Resolved (provider, model) pairs kept in the LRU cache',
  ),
  s(
    'ENRICH_IP_FIELDS',
    'enrich.ipFields',
    'list',
    'Where the client IP is read, first present wins (`properties.` paths read properties)',
  ),
  s(
    'ENRICH_USER_AGENT_FIELDS',
    'enrich.userAgentFields',
    'list',
    'Where the user agent is read, first present wins',
  ),
  s(
    'ENRICH_SCRUB_KEYS',
    'enrich.scrubKeys',
    'list',
    'Properties removed before storage (raw LLM prompts/completions, HIP-47)',
  ),
  s(
    'ENRICH_GEOIP_DISABLE_FIELDS',
    'enrich.geoipDisableFields',
    'list',
    'Privacy switches: when one is on (true, 1, "true"…) the event is not located and its IP is removed',
  ),
  s(
    'ENRICH_KEEP_RAW_IP',
    'enrich.keepRawIp',
    'bool',
    'Keep the client IP in properties (default: removed after the geo lookup)',
  ),
  s(
    'ENRICH_DISTINCT_ID_SECRET',
    'enrich.distinctIdSecret',
    'string',
    'Set: distinct_id is stored as HMAC-SHA256(secret, distinct_id) hex (off by default)',
    { secret: true, fromFile: true },
  ),

  s(
    'KAFKA_ENGINE_NUM_CONSUMERS',
    'kafkaEngine.numConsumers',
    'int',
    'kafka-engine mode: consumers per ClickHouse server (≤ partitions and cores)',
  ),
  s(
    'KAFKA_ENGINE_MAX_BLOCK_SIZE',
    'kafkaEngine.maxBlockSize',
    'int',
    'kafka-engine mode: messages per block handed to the views',
  ),
  s(
    'KAFKA_ENGINE_FLUSH_INTERVAL_MS',
    'kafkaEngine.flushIntervalMs',
    'int',
    'kafka-engine mode: flush a block at least this often',
  ),
  s(
    'KAFKA_ENGINE_THREAD_PER_CONSUMER',
    'kafkaEngine.threadPerConsumer',
    'bool',
    'kafka-engine mode: one thread per consumer, flushing independently',
  ),
  s(
    'KAFKA_ENGINE_GEO_NETWORKS_FILE',
    'kafkaEngine.geoNetworksFile',
    'string',
    'kafka-engine mode: CSV network,country_code,region,city for geo in SQL (ip_trie)',
  ),

  s(
    'TEAM_SETTINGS_URL',
    'teamSettings.url',
    'string',
    'PostgreSQL holding per-team retention (team_settings); unset: every team keeps 12 months',
    { secret: true, fromFile: true },
  ),
  s(
    'TEAM_SETTINGS_QUERY',
    'teamSettings.query',
    'string',
    'Query returning (team_id, retention_months) rows; teams absent keep 12 months',
  ),
  s(
    'TEAM_SETTINGS_REFRESH_MS',
    'teamSettings.refreshMs',
    'int',
    'How often team settings are read again (a change reaches new rows within it)',
  ),
  s(
    'TEAM_SETTINGS_TIMEOUT_MS',
    'teamSettings.timeoutMs',
    'int',
    'A read of team settings is abandoned after this; the last known ones stay in use',
  ),
];

/** Prefixes we own: an unknown variable under them is a typo, and start-up stops. */
export const OWNED_ENV_PREFIXES = [
  'INGEST_',
  'KAFKA_',
  'CLICKHOUSE_',
  'BATCH_',
  'INSERT_',
  'DECODE_',
  'ENRICH_',
  'TEAM_SETTINGS_',
] as const;

/** Variables Kubernetes injects for Services (enableServiceLinks); never ours. */
export function isServiceLinkVariable(name: string): boolean {
  return /_(SERVICE_HOST|SERVICE_PORT(_[A-Z0-9_]+)?|PORT(_\d+_(TCP|UDP|SCTP)(_(PROTO|PORT|ADDR))?)?)$/.test(
    name,
  );
}

/** Variables that point the CLI at a config file, not settings themselves. */
export const CONFIG_FILE_ENV = 'INGEST_CONFIG_FILE';
