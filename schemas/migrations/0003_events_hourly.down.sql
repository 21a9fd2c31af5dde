DROP VIEW IF EXISTS {{table events_hourly_mv}}{{on_cluster}} SYNC;

DROP VIEW IF EXISTS {{table events_hourly_merged}}{{on_cluster}} SYNC;

{{drop_distributed events_hourly}};

DROP TABLE IF EXISTS {{table events_hourly}}{{on_cluster}} SYNC;
