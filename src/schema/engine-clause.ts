import { SchemaRenderError, type ResolvedTarget } from './schema-target.ts';

/**
 * The clauses that differ between the clustered and the unclustered rendering. Exported on
 * their own so DDL written elsewhere (the Kafka-engine mode) renders the same way.
 */

/** ` ON CLUSTER '<cluster>'`, or nothing on a single node. */
export function onClusterClause(target: ResolvedTarget): string {
  return target.cluster === undefined ? '' : ` ON CLUSTER '${target.cluster}'`;
}

/** Keeper path of a replicated table: per shard, per database, per table (HIP-47). */
export function replicationPath(table: string): string {
  return `/clickhouse/tables/{shard}/{database}/${table}`;
}

const MERGE_TREE = /^([A-Za-z]*MergeTree)(?:\((.*)\))?$/s;

/**
 * `MergeTree`, `AggregatingMergeTree`, `SummingMergeTree((a, b))`… as the engine of `table`:
 * unchanged on a single node, `Replicated<Engine>('<path>', '{replica}'[, args])` on a cluster.
 */
export function mergeTreeEngine(target: ResolvedTarget, table: string, engine: string): string {
  const match = MERGE_TREE.exec(engine.trim());
  const name = match?.[1];
  if (match === null || name === undefined || name.startsWith('Replicated')) {
    throw new SchemaRenderError(
      `engine "${engine}": write the single-node MergeTree-family engine, the renderer replicates it`,
    );
  }
  const args = match[2]?.trim() ?? '';
  if (target.cluster === undefined) return args === '' ? name : `${name}(${args})`;
  const replicated = [`'${replicationPath(table)}'`, `'{replica}'`];
  if (args !== '') replicated.push(args);
  return `Replicated${name}(${replicated.join(', ')})`;
}

/**
 * How many recent insert blocks a table remembers so a retried insert (same
 * insert_deduplication_token) is dropped. Plain MergeTree remembers none unless told;
 * replicated tables are pinned to the same window instead of the server default.
 */
export function deduplicationWindowSetting(target: ResolvedTarget): string {
  const name =
    target.cluster === undefined
      ? 'non_replicated_deduplication_window'
      : 'replicated_deduplication_window';
  return `${name} = ${target.deduplicationWindow}`;
}

/** `Distributed('<cluster>', <database>, <local table>[, <sharding key>])`. */
export function distributedEngine(
  target: ResolvedTarget,
  localTable: string,
  shardingKey?: string,
): string {
  if (target.cluster === undefined) {
    throw new SchemaRenderError('a Distributed table needs a cluster');
  }
  const args = [`'${target.cluster}'`, target.database, localTable];
  if (shardingKey !== undefined && shardingKey.trim() !== '') args.push(shardingKey.trim());
  return `Distributed(${args.join(', ')})`;
}
