import type { ClickHouseSettings } from '@clickhouse/client';
import { deduplicationWindowSetting, onClusterClause } from '../schema/engine-clause.ts';
import type { ResolvedTarget } from '../schema/schema-target.ts';

/**
 * The migrator's own tables, in the target database beside the schema:
 * - `hanzo_schema_migrations`: the ledger, one row per applied or reverted migration;
 * - `hanzo_schema_lock`: the lease that lets one migrator at a time apply migrations.
 *
 * On a cluster both are replicated to every node of every shard (one Keeper path without
 * `{shard}`): migrations run ON CLUSTER, so their record and their lock must be one for the
 * whole cluster, whichever node a migrator connects to.
 */
export const LEDGER_TABLE = 'hanzo_schema_migrations';
export const LOCK_TABLE = 'hanzo_schema_lock';

export function bookkeepingStatements(target: ResolvedTarget): string[] {
  const cluster = onClusterClause(target);
  return [
    `CREATE DATABASE IF NOT EXISTS ${target.database}${cluster}`,
    `CREATE TABLE IF NOT EXISTS ${target.database}.${LEDGER_TABLE}${cluster}
(
    schema_name LowCardinality(String),
    version UInt32,
    name String,
    direction LowCardinality(String),
    checksum String,
    rendering LowCardinality(String),
    seq UInt64,
    lock_epoch UInt64,
    statements UInt32,
    duration_ms UInt64,
    applied_by String,
    applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ${clusterWideEngine(target, LEDGER_TABLE)}
ORDER BY (schema_name, seq)
SETTINGS ${deduplicationWindowSetting(target)}`,
    // No TTL: lock epochs must never go back (their tokens are remembered by the dedup log).
    `CREATE TABLE IF NOT EXISTS ${target.database}.${LOCK_TABLE}${cluster}
(
    epoch UInt64,
    kind LowCardinality(String),
    owner String,
    at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ${clusterWideEngine(target, LOCK_TABLE)}
ORDER BY (epoch, at)
SETTINGS ${deduplicationWindowSetting(target)}`,
  ];
}

function clusterWideEngine(target: ResolvedTarget, table: string): string {
  if (target.cluster === undefined) return 'MergeTree';
  // Unique per node across shards: the replica macro alone may repeat between shards.
  return `ReplicatedMergeTree('/clickhouse/tables/cluster_wide/{database}/${table}', '{shard}-{replica}')`;
}

/** How `rendering` is recorded in the ledger. */
export function renderingName(target: ResolvedTarget): string {
  if (target.cluster === undefined) return 'unclustered';
  return target.distributed ? 'clustered+distributed' : 'clustered';
}

/**
 * Settings for the bookkeeping reads and writes. On a cluster a write is acknowledged only
 * once a majority of replicas have it and a read sees every such write, whichever replica
 * serves it (a load balancer may send consecutive requests to different nodes).
 */
export function bookkeepingWriteSettings(target: ResolvedTarget): ClickHouseSettings {
  return target.cluster === undefined ? {} : { insert_quorum: 'auto', insert_quorum_parallel: 0 };
}

export function bookkeepingReadSettings(target: ResolvedTarget): ClickHouseSettings {
  return target.cluster === undefined ? {} : { select_sequential_consistency: '1' };
}
