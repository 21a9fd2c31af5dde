import type { ClickHouseClient } from '@clickhouse/client';
import type { ResolvedTarget } from '../schema/schema-target.ts';
import {
  bookkeepingReadSettings,
  bookkeepingWriteSettings,
  LOCK_TABLE,
} from './bookkeeping-tables.ts';

/** The rows of `hanzo_schema_lock` the migration lock reads and writes (migration-lock.ts). */

export interface LeaseState {
  readonly epoch: number;
  readonly holder: string;
  readonly released: boolean;
  readonly idleMs: number;
}

export async function readLease(
  client: ClickHouseClient,
  target: ResolvedTarget,
): Promise<LeaseState | undefined> {
  const table = `${target.database}.${LOCK_TABLE}`;
  const result = await client.query({
    query: `SELECT
    epoch,
    argMinIf(owner, at, kind = 'acquire') AS holder,
    countIf(kind = 'release') > 0 AS released,
    dateDiff('millisecond', max(at), now64(3)) AS idleMs
FROM ${table}
WHERE epoch = (SELECT max(epoch) FROM ${table})
GROUP BY epoch`,
    format: 'JSONEachRow',
    clickhouse_settings: bookkeepingReadSettings(target),
  });
  const [row] = await result.json<{
    epoch: string | number;
    holder: string;
    released: boolean | number;
    idleMs: string | number;
  }>();
  if (row === undefined) return undefined;
  return {
    epoch: Number(row.epoch),
    holder: row.holder,
    released: row.released === true || row.released === 1,
    idleMs: Number(row.idleMs),
  };
}

export async function acquirerOf(
  client: ClickHouseClient,
  target: ResolvedTarget,
  epoch: number,
): Promise<string | undefined> {
  const result = await client.query({
    query: `SELECT owner FROM ${target.database}.${LOCK_TABLE}
WHERE epoch = {epoch:UInt64} AND kind = 'acquire' ORDER BY at LIMIT 1`,
    query_params: { epoch },
    format: 'JSONEachRow',
    clickhouse_settings: bookkeepingReadSettings(target),
  });
  const [row] = await result.json<{ owner: string }>();
  return row?.owner;
}

export async function insertLeaseRow(
  client: ClickHouseClient,
  target: ResolvedTarget,
  row: { epoch: number; kind: 'acquire' | 'heartbeat' | 'release'; owner: string },
): Promise<void> {
  // Only acquisitions race: heartbeats and releases are never deduplicated.
  const dedup =
    row.kind === 'acquire'
      ? { insert_deduplicate: 1 as const, insert_deduplication_token: `${LOCK_TABLE}:${row.epoch}` }
      : { insert_deduplicate: 0 as const };
  await client.insert({
    table: `${target.database}.${LOCK_TABLE}`,
    values: [row],
    format: 'JSONEachRow',
    clickhouse_settings: { ...bookkeepingWriteSettings(target), ...dedup },
  });
}
