-- Per-team retention (HIP-47: "Organizations on enterprise plans MAY override TTL via the
-- team_settings table in PostgreSQL"). Each row carries its team's retention in months, set
-- at ingestion from team_settings (12, HIP-47's default, for teams without an override), and
-- the TTL reads it. Existing rows get the column's DEFAULT 12, so their expiry is unchanged:
-- the TTL change needs no rewrite of old parts (materialize_ttl_after_modify = 0).
-- The rollups (sessions, events_hourly, token_usage_daily) keep their fixed 36 months.
ALTER TABLE {{table events}}{{on_cluster}}
    ADD COLUMN IF NOT EXISTS retention_months UInt16 DEFAULT 12 CODEC(ZSTD(1)) AFTER api_key_id;

-- The Distributed table in front (on a single node, the same table again: a no-op).
ALTER TABLE {{read events}}{{on_cluster}}
    ADD COLUMN IF NOT EXISTS retention_months UInt16 DEFAULT 12 AFTER api_key_id;

ALTER TABLE {{table events}}{{on_cluster}}
    MODIFY TTL toDateTime(timestamp) + toIntervalMonth(retention_months) DELETE
    SETTINGS materialize_ttl_after_modify = 0;
