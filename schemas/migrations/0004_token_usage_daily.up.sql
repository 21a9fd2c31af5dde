-- HIP-47 `token_usage_daily`: LLM tokens, cost and requests per day, team, organization,
-- project, model and provider, from `$llm_request` events; kept 36 months. HIP-47 groups by
-- organization, model and provider; team and project are kept too so billing can be split
-- by them (sum over them for HIP-47's grain). SummingMergeTree adds up rows with the same
-- key in background merges; queries still sum(), as HIP-47's dashboard query does.
CREATE TABLE IF NOT EXISTS {{table token_usage_daily}}{{on_cluster}}
(
    day Date,
    team_id UInt64,
    organization_id String,
    project_id String,
    model LowCardinality(String),
    provider LowCardinality(String),
    total_prompt_tokens UInt64,
    total_completion_tokens UInt64,
    total_cost_usd Decimal128(8),
    request_count UInt64
)
ENGINE = {{engine token_usage_daily SummingMergeTree}}
PARTITION BY toYYYYMM(day)
ORDER BY (organization_id, day, project_id, team_id, model, provider)
TTL day + INTERVAL 36 MONTH DELETE
SETTINGS index_granularity = 8192, {{dedup_window}};

-- For reading across shards only (no sharding key): each shard's rows come from its own MV.
{{distributed token_usage_daily}};

CREATE MATERIALIZED VIEW IF NOT EXISTS {{table token_usage_daily_mv}}{{on_cluster}}
TO {{table token_usage_daily}}
AS SELECT
    toDate(timestamp) AS day,
    team_id,
    organization_id,
    project_id,
    model,
    provider,
    sum(tokens_prompt) AS total_prompt_tokens,
    sum(tokens_completion) AS total_completion_tokens,
    sum(cost_usd) AS total_cost_usd,
    count() AS request_count
FROM {{table events}}
WHERE event = '$llm_request'
GROUP BY day, team_id, organization_id, project_id, model, provider;
