-- The view that feeds the table goes first, so no insert writes into a half-dropped schema.
DROP VIEW IF EXISTS {{table sessions_mv}}{{on_cluster}} SYNC;

DROP VIEW IF EXISTS {{table sessions_merged}}{{on_cluster}} SYNC;

{{drop_distributed sessions}};

DROP TABLE IF EXISTS {{table sessions}}{{on_cluster}} SYNC;
