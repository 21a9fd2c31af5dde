import type { ClickHouseClient } from '@clickhouse/client';
import { LEDGER_TABLE, LOCK_TABLE } from '../../../src/migrate/bookkeeping-tables.ts';

/**
 * Everything ClickHouse says about a database's schema objects (the migrator's own tables
 * aside): every column as system.columns describes it, every table's engine and keys, and
 * SHOW CREATE of each. Two snapshots are equal when the schemas are the same.
 */
export interface SchemaSnapshot {
  readonly columns: readonly Record<string, unknown>[];
  readonly tables: readonly Record<string, unknown>[];
  readonly creates: Readonly<Record<string, string>>;
}

export async function schemaSnapshot(
  client: ClickHouseClient,
  database: string,
): Promise<SchemaSnapshot> {
  const params = { db: database, ledger: LEDGER_TABLE, lock: LOCK_TABLE };
  const rows = async (query: string): Promise<Record<string, unknown>[]> =>
    (await client.query({ query, query_params: params, format: 'JSONEachRow' })).json();
  const columns = await rows(
    `SELECT table, name, type, position, default_kind, default_expression, compression_codec,
        is_in_partition_key, is_in_sorting_key, is_in_primary_key
     FROM system.columns
     WHERE database = {db:String} AND table NOT IN ({ledger:String}, {lock:String})
     ORDER BY table, position`,
  );
  const tables = await rows(
    `SELECT name, engine, partition_key, sorting_key, primary_key, as_select
     FROM system.tables
     WHERE database = {db:String} AND name NOT IN ({ledger:String}, {lock:String})
     ORDER BY name`,
  );
  const creates: Record<string, string> = {};
  for (const table of tables) {
    const name = String(table['name']);
    const [create] = await (
      await client.query({ query: `SHOW CREATE TABLE ${database}.${name}`, format: 'JSONEachRow' })
    ).json<{ statement: string }>();
    creates[name] = create?.statement ?? '';
  }
  return { columns, tables, creates };
}

/** Tables and views in `database`, the migrator's own included. */
export async function tableNames(client: ClickHouseClient, database: string): Promise<string[]> {
  const result = await client.query({
    query: 'SELECT name FROM system.tables WHERE database = {db:String} ORDER BY name',
    query_params: { db: database },
    format: 'JSONEachRow',
  });
  return (await result.json<{ name: string }>()).map((r) => r.name);
}

export interface LedgerRow {
  version: number;
  direction: string;
  schema_name: string;
  lock_epoch: string | number;
  applied_by: string;
}

export async function ledgerRows(client: ClickHouseClient, database: string): Promise<LedgerRow[]> {
  const result = await client.query({
    query: `SELECT version, direction, schema_name, lock_epoch, applied_by
            FROM ${database}.${LEDGER_TABLE} ORDER BY seq`,
    format: 'JSONEachRow',
  });
  return result.json<LedgerRow>();
}
