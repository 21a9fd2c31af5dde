-- Back to the fixed 12-month TTL of 0001_events, then the column goes (the TTL must stop
-- reading it first). Rows kept longer than 12 months by an override expire at the next merge.
ALTER TABLE {{table events}}{{on_cluster}}
    MODIFY TTL toDateTime(timestamp) + INTERVAL 12 MONTH DELETE
    SETTINGS materialize_ttl_after_modify = 0;

ALTER TABLE {{read events}}{{on_cluster}} DROP COLUMN IF EXISTS retention_months;

ALTER TABLE {{table events}}{{on_cluster}} DROP COLUMN IF EXISTS retention_months;
