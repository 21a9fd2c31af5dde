-- HIP-47 `events`: the table every Hanzo service writes analytics and LLM-usage events to.
-- Columns, types, LowCardinality, codecs, partitioning, ORDER BY and TTL are HIP-47's;
-- `cost_source` (how cost_usd was obtained) and the `_topic`/`_partition`/`_offset`/
-- `_ingested_at` columns (where each row came from in Kafka) are hanzo-ingest's.
CREATE TABLE IF NOT EXISTS {{table events}}{{on_cluster}}
(
    -- Identity
    uuid UUID DEFAULT generateUUIDv4() CODEC(LZ4),
    team_id UInt64 CODEC(Delta, LZ4),
    distinct_id String CODEC(ZSTD(3)),
    session_id String DEFAULT '' CODEC(ZSTD(3)),

    -- Event
    event String CODEC(ZSTD(1)),
    timestamp DateTime64(3, 'UTC') CODEC(DoubleDelta, LZ4),
    created_at DateTime64(3, 'UTC') DEFAULT now64(3) CODEC(DoubleDelta, LZ4),

    -- Properties (JSON text, queried with JSONExtract*)
    properties String DEFAULT '{}' CODEC(ZSTD(3)),

    -- Denormalized property columns
    url String DEFAULT '' CODEC(ZSTD(3)),
    referrer String DEFAULT '' CODEC(ZSTD(3)),
    host String DEFAULT '' CODEC(ZSTD(3)),
    pathname String DEFAULT '' CODEC(ZSTD(3)),

    -- Device
    browser LowCardinality(String) DEFAULT '' CODEC(ZSTD(1)),
    browser_version String DEFAULT '' CODEC(ZSTD(1)),
    os LowCardinality(String) DEFAULT '' CODEC(ZSTD(1)),
    os_version String DEFAULT '' CODEC(ZSTD(1)),
    device_type LowCardinality(String) DEFAULT '' CODEC(ZSTD(1)),

    -- Geo (resolved at ingestion from the IP address)
    country_code LowCardinality(FixedString(2)) DEFAULT '\0\0' CODEC(LZ4),
    city LowCardinality(String) DEFAULT '' CODEC(ZSTD(1)),
    region LowCardinality(String) DEFAULT '' CODEC(ZSTD(1)),

    -- Attribution
    utm_source LowCardinality(String) DEFAULT '' CODEC(ZSTD(1)),
    utm_medium LowCardinality(String) DEFAULT '' CODEC(ZSTD(1)),
    utm_campaign LowCardinality(String) DEFAULT '' CODEC(ZSTD(1)),

    -- LLM-specific (Hanzo extension)
    model LowCardinality(String) DEFAULT '' CODEC(ZSTD(1)),
    provider LowCardinality(String) DEFAULT '' CODEC(ZSTD(1)),
    tokens_prompt UInt32 DEFAULT 0 CODEC(Delta, LZ4),
    tokens_completion UInt32 DEFAULT 0 CODEC(Delta, LZ4),
    cost_usd Decimal64(8) DEFAULT 0 CODEC(Delta, LZ4),
    cost_source LowCardinality(String) DEFAULT '' CODEC(ZSTD(1)),

    -- Billing
    organization_id String DEFAULT '' CODEC(ZSTD(3)),
    project_id String DEFAULT '' CODEC(ZSTD(3)),
    api_key_id String DEFAULT '' CODEC(ZSTD(3)),

    -- Ingestion: the Kafka record each row came from, and when it landed
    _topic LowCardinality(String) DEFAULT '' CODEC(ZSTD(1)),
    _partition UInt16 DEFAULT 0 CODEC(Delta, LZ4),
    _offset UInt64 DEFAULT 0 CODEC(Delta, LZ4),
    _ingested_at DateTime64(3, 'UTC') DEFAULT now64(3) CODEC(DoubleDelta, LZ4)
)
ENGINE = {{engine events MergeTree}}
PARTITION BY toYYYYMM(timestamp)
ORDER BY (team_id, toDate(timestamp), event, cityHash64(distinct_id), uuid)
TTL toDateTime(timestamp) + INTERVAL 12 MONTH DELETE
SETTINGS index_granularity = 8192, {{dedup_window}};

-- Across shards: rows of one distinct_id stay on one shard (funnels and retention per user
-- run shard-locally), matching the cityHash64(distinct_id) of the sorting key.
{{distributed events cityHash64(distinct_id)}};
