DROP VIEW IF EXISTS {{table token_usage_daily_mv}}{{on_cluster}} SYNC;

{{drop_distributed token_usage_daily}};

DROP TABLE IF EXISTS {{table token_usage_daily}}{{on_cluster}} SYNC;
