/**
 * The HIP-47 `events` table plus the ingestion columns, in its single-node rendering.
 * (The schema and migrations issue grows this into versioned, clustered/unclustered DDL.)
 * Identifiers are validated by the config schema before they reach this text.
 */
export interface EventsTableOptions {
  readonly database: string;
  readonly table: string;
  /** Inserts remembered for token deduplication (plain MergeTree needs it set). */
  readonly deduplicationWindow?: number;
}

export function createEventsTableSql({
  database,
  table,
  deduplicationWindow = 1000,
}: EventsTableOptions): string {
  return `CREATE TABLE IF NOT EXISTS ${database}.${table}
(
    uuid UUID DEFAULT generateUUIDv4() CODEC(LZ4),
    team_id UInt64 CODEC(Delta, LZ4),
    distinct_id String CODEC(ZSTD(3)),
    session_id String DEFAULT '' CODEC(ZSTD(3)),
    event String CODEC(ZSTD(1)),
    timestamp DateTime64(3, 'UTC') CODEC(DoubleDelta, LZ4),
    created_at DateTime64(3, 'UTC') DEFAULT now64(3),
    properties String DEFAULT '{}' CODEC(ZSTD(3)),
    url String DEFAULT '' CODEC(ZSTD(3)),
    referrer String DEFAULT '' CODEC(ZSTD(3)),
    host String DEFAULT '' CODEC(ZSTD(3)),
    pathname String DEFAULT '' CODEC(ZSTD(3)),
    browser LowCardinality(String) DEFAULT '' CODEC(ZSTD(1)),
    browser_version String DEFAULT '' CODEC(ZSTD(1)),
    os LowCardinality(String) DEFAULT '' CODEC(ZSTD(1)),
    os_version String DEFAULT '' CODEC(ZSTD(1)),
    device_type LowCardinality(String) DEFAULT '' CODEC(ZSTD(1)),
    country_code LowCardinality(FixedString(2)) DEFAULT '\\0\\0' CODEC(LZ4),
    city LowCardinality(String) DEFAULT '' CODEC(ZSTD(1)),
    region LowCardinality(String) DEFAULT '' CODEC(ZSTD(1)),
    utm_source LowCardinality(String) DEFAULT '' CODEC(ZSTD(1)),
    utm_medium LowCardinality(String) DEFAULT '' CODEC(ZSTD(1)),
    utm_campaign LowCardinality(String) DEFAULT '' CODEC(ZSTD(1)),
    model LowCardinality(String) DEFAULT '' CODEC(ZSTD(1)),
    provider LowCardinality(String) DEFAULT '' CODEC(ZSTD(1)),
    tokens_prompt UInt32 DEFAULT 0 CODEC(Delta, LZ4),
    tokens_completion UInt32 DEFAULT 0 CODEC(Delta, LZ4),
    cost_usd Decimal64(8) DEFAULT 0 CODEC(Delta, LZ4),
    cost_source LowCardinality(String) DEFAULT '' CODEC(ZSTD(1)),
    organization_id String DEFAULT '' CODEC(ZSTD(3)),
    project_id String DEFAULT '' CODEC(ZSTD(3)),
    api_key_id String DEFAULT '' CODEC(ZSTD(3)),
    _topic LowCardinality(String) DEFAULT '' CODEC(ZSTD(1)),
    _partition UInt16 DEFAULT 0 CODEC(Delta, LZ4),
    _offset UInt64 DEFAULT 0 CODEC(Delta, LZ4),
    _ingested_at DateTime64(3, 'UTC') DEFAULT now64(3) CODEC(DoubleDelta, LZ4)
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(timestamp)
ORDER BY (team_id, toDate(timestamp), event, cityHash64(distinct_id), uuid)
TTL toDateTime(timestamp) + INTERVAL 12 MONTH DELETE
SETTINGS index_granularity = 8192, non_replicated_deduplication_window = ${deduplicationWindow}`;
}
