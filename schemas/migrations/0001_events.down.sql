-- Drops every event. SYNC: a replicated table leaves Keeper at once, so `up` can re-create it.
{{drop_distributed events}};

DROP TABLE IF EXISTS {{table events}}{{on_cluster}} SYNC;
