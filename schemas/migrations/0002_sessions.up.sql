-- HIP-47 `sessions`: one row per (team, session, user), fed by `sessions_mv` on every insert
-- into `events`. Each insert block adds a partial aggregate; AggregatingMergeTree folds the
-- partials together in background merges, so late events of a session still count.
-- Columns hold aggregate states (argMin/argMax) or SimpleAggregateFunction values, never
-- finished values: read sessions through `sessions_merged`, which finishes them.
-- duration_seconds is computed there (max(end) - min(start)); per-block differences
-- could not be added up.
CREATE TABLE IF NOT EXISTS {{table sessions}}{{on_cluster}}
(
    team_id UInt64,
    session_id String,
    distinct_id String,
    session_start SimpleAggregateFunction(min, DateTime64(3, 'UTC')),
    session_end SimpleAggregateFunction(max, DateTime64(3, 'UTC')),
    event_count SimpleAggregateFunction(sum, UInt64),
    pageview_count SimpleAggregateFunction(sum, UInt64),
    entry_url AggregateFunction(argMin, String, DateTime64(3, 'UTC')),
    exit_url AggregateFunction(argMax, String, DateTime64(3, 'UTC')),
    initial_referrer AggregateFunction(argMin, String, DateTime64(3, 'UTC')),
    initial_utm_source AggregateFunction(argMin, String, DateTime64(3, 'UTC')),
    initial_utm_medium AggregateFunction(argMin, String, DateTime64(3, 'UTC')),
    initial_utm_campaign AggregateFunction(argMin, String, DateTime64(3, 'UTC')),
    browser AggregateFunction(argMin, String, DateTime64(3, 'UTC')),
    os AggregateFunction(argMin, String, DateTime64(3, 'UTC')),
    device_type AggregateFunction(argMin, String, DateTime64(3, 'UTC')),
    country_code AggregateFunction(argMin, FixedString(2), DateTime64(3, 'UTC'))
)
ENGINE = {{engine sessions AggregatingMergeTree}}
PARTITION BY toYYYYMM(session_start)
ORDER BY (team_id, session_id, distinct_id)
TTL toDateTime(session_end) + INTERVAL 36 MONTH DELETE
SETTINGS index_granularity = 8192, {{dedup_window}};

-- Mostly read across shards; a direct insert routes like `events` does.
{{distributed sessions cityHash64(distinct_id)}};

-- Events without a session id are not part of any session.
-- LowCardinality columns are cast to plain String so the state types do not depend on how
-- a ClickHouse version treats LowCardinality arguments of aggregate functions.
CREATE MATERIALIZED VIEW IF NOT EXISTS {{table sessions_mv}}{{on_cluster}}
TO {{table sessions}}
AS SELECT
    team_id,
    session_id,
    distinct_id,
    min(timestamp) AS session_start,
    max(timestamp) AS session_end,
    count() AS event_count,
    countIf(event = '$pageview') AS pageview_count,
    argMinState(url, timestamp) AS entry_url,
    argMaxState(url, timestamp) AS exit_url,
    argMinState(referrer, timestamp) AS initial_referrer,
    argMinState(CAST(utm_source AS String), timestamp) AS initial_utm_source,
    argMinState(CAST(utm_medium AS String), timestamp) AS initial_utm_medium,
    argMinState(CAST(utm_campaign AS String), timestamp) AS initial_utm_campaign,
    argMinState(CAST(browser AS String), timestamp) AS browser,
    argMinState(CAST(os AS String), timestamp) AS os,
    argMinState(CAST(device_type AS String), timestamp) AS device_type,
    argMinState(CAST(country_code AS FixedString(2)), timestamp) AS country_code
FROM {{table events}}
WHERE session_id != ''
GROUP BY team_id, session_id, distinct_id;

-- The finished sessions of HIP-47's sessions_mv: one row per session, partial states merged.
CREATE VIEW IF NOT EXISTS {{table sessions_merged}}{{on_cluster}}
AS SELECT
    team_id,
    session_id,
    distinct_id,
    session_start,
    session_end,
    dateDiff('second', session_start, session_end) AS duration_seconds,
    event_count,
    pageview_count,
    entry_url,
    exit_url,
    initial_referrer,
    initial_utm_source,
    initial_utm_medium,
    initial_utm_campaign,
    browser,
    os,
    device_type,
    country_code
FROM
(
    SELECT
        team_id,
        session_id,
        distinct_id,
        min(session_start) AS session_start,
        max(session_end) AS session_end,
        sum(event_count) AS event_count,
        sum(pageview_count) AS pageview_count,
        argMinMerge(entry_url) AS entry_url,
        argMaxMerge(exit_url) AS exit_url,
        argMinMerge(initial_referrer) AS initial_referrer,
        argMinMerge(initial_utm_source) AS initial_utm_source,
        argMinMerge(initial_utm_medium) AS initial_utm_medium,
        argMinMerge(initial_utm_campaign) AS initial_utm_campaign,
        argMinMerge(browser) AS browser,
        argMinMerge(os) AS os,
        argMinMerge(device_type) AS device_type,
        argMinMerge(country_code) AS country_code
    FROM {{read sessions}}
    GROUP BY team_id, session_id, distinct_id
);
