-- HIP-47 `events_hourly`: events and unique users per team, event and hour, kept 36 months.
-- `unique_users` holds uniqHLL12 states, so hours merge exactly like one uniqHLL12 over all
-- their events; read it through `events_hourly_merged` (or uniqHLL12Merge yourself).
CREATE TABLE IF NOT EXISTS {{table events_hourly}}{{on_cluster}}
(
    team_id UInt64,
    event String,
    hour DateTime('UTC'),
    count SimpleAggregateFunction(sum, UInt64),
    unique_users AggregateFunction(uniqHLL12, String)
)
ENGINE = {{engine events_hourly AggregatingMergeTree}}
PARTITION BY toYYYYMM(hour)
ORDER BY (team_id, event, hour)
TTL hour + INTERVAL 36 MONTH DELETE
SETTINGS index_granularity = 8192, {{dedup_window}};

-- For reading across shards only (no sharding key): each shard's rows come from its own MV.
{{distributed events_hourly}};

CREATE MATERIALIZED VIEW IF NOT EXISTS {{table events_hourly_mv}}{{on_cluster}}
TO {{table events_hourly}}
AS SELECT
    team_id,
    event,
    toStartOfHour(timestamp) AS hour,
    count() AS count,
    uniqHLL12State(distinct_id) AS unique_users
FROM {{table events}}
GROUP BY team_id, event, hour;

CREATE VIEW IF NOT EXISTS {{table events_hourly_merged}}{{on_cluster}}
AS SELECT
    team_id,
    event,
    hour,
    sum(count) AS count,
    uniqHLL12Merge(unique_users) AS unique_users
FROM {{read events_hourly}}
GROUP BY team_id, event, hour;
