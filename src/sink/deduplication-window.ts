import type { ClickHouseClient } from '@clickhouse/client';

/**
 * ClickHouse drops a repeated insert only while the table still remembers its block
 * (`non_replicated_deduplication_window` / `replicated_deduplication_window`: the last N
 * blocks of the whole table, whoever wrote them). A block is one part: an insert writes one
 * per ClickHouse partition (month) it touches, and every sub-insert of a bisection and every
 * other writer of the table counts too.
 *
 * Re-formed ranges no longer depend on the window (deliver/land-batch.ts asks the table which rows
 * landed first). What still does is an insert retried in-process after an ambiguous failure
 * (a timeout: the first attempt may have landed) under the same token. Between the attempt and
 * its retry, the pipeline's other inserts land: at most one batch is in flight per source
 * partition, and one insert writes at most `maxPartitionsPerBlock` blocks; counting each of
 * them once more for its own retry or first bisection split:
 *
 *     required = partitions × maxPartitionsPerBlock × 2
 *
 * (12 partitions × 100 × 2 = 2,400.) Below it, a burst of wide batches can push a block out of
 * the window before its retry. Deeper bisections, backfills and other writers of the table
 * need more; a window of 0 turns deduplication off and retries duplicate.
 */
export function requiredDeduplicationWindow(
  partitions: number,
  maxPartitionsPerBlock: number,
): number {
  return partitions * maxPartitionsPerBlock * 2;
}

export interface DeduplicationWindow {
  /** The setting in force (the table's own, else the server's MergeTree default). */
  readonly setting: 'non_replicated_deduplication_window' | 'replicated_deduplication_window';
  readonly blocks: number;
  /** The table the setting was read from (`<table>_local` behind a Distributed table). */
  readonly table: string;
}

/**
 * `small`: below what steady traffic needs (one month per batch: `partitions × 2`), a retry
 * after a timeout may land twice any day; `steady`: steady traffic is held, only batches
 * spanning many months on many partitions at once could outrun it; `ok`: the worst case too.
 */
export type WindowVerdict = 'ok' | 'steady' | 'small' | 'disabled';

export function judgeDeduplicationWindow(
  blocks: number,
  required: number,
  partitions = 0,
): WindowVerdict {
  if (blocks <= 0) return 'disabled';
  if (blocks >= required) return 'ok';
  return blocks >= partitions * 2 ? 'steady' : 'small';
}

/**
 * The events table's deduplication window: its SETTINGS override if it has one, else the
 * server default (system.merge_tree_settings). Undefined when the table does not exist (yet).
 */
export async function readDeduplicationWindow(
  client: ClickHouseClient,
  target: { readonly database: string; readonly table: string; readonly distributed: boolean },
): Promise<DeduplicationWindow | undefined> {
  // The Distributed table stores nothing: its shards' local tables hold the blocks.
  const table = target.distributed ? `${target.table}_local` : target.table;
  const [found] = await rows<{ engine: string; engine_full: string }>(
    client,
    'SELECT engine, engine_full FROM system.tables WHERE database = {database:String} AND name = {table:String}',
    { database: target.database, table },
  );
  if (found === undefined) return undefined;
  const setting = found.engine.startsWith('Replicated')
    ? 'replicated_deduplication_window'
    : 'non_replicated_deduplication_window';
  const own = new RegExp(`\\b${setting} = (\\d+)`).exec(found.engine_full)?.[1];
  if (own !== undefined) return { setting, blocks: Number(own), table };
  const [server] = await rows<{ value: string }>(
    client,
    'SELECT value FROM system.merge_tree_settings WHERE name = {setting:String}',
    { setting },
  );
  return { setting, blocks: Number(server?.value ?? 0), table };
}

async function rows<T>(
  client: ClickHouseClient,
  query: string,
  params: Record<string, unknown>,
): Promise<T[]> {
  const result = await client.query({ query, query_params: params, format: 'JSONEachRow' });
  return result.json<T>();
}
