import assert from 'node:assert/strict';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { createEventsTableSql } from '../../src/schema/events-table.ts';
import { testStack } from './stack-env.ts';

export function testClickHouse(url = testStack().clickhouse.url): ClickHouseClient {
  const { username, password } = testStack().clickhouse;
  // Polling a table before the worker created it fails by design: keep the client quiet.
  return createClient({
    url,
    username,
    password,
    request_timeout: 120_000,
    log: { level: ClickHouseLogLevel.OFF },
  });
}

export async function createEventsTable(client: ClickHouseClient, table: string): Promise<void> {
  for (const query of createEventsTableSql({ database: 'default', table })) {
    await client.command({ query });
  }
}

export async function queryRows<T>(
  client: ClickHouseClient,
  query: string,
  params: Record<string, unknown> = {},
): Promise<T[]> {
  const result = await client.query({ query, query_params: params, format: 'JSONEachRow' });
  return result.json<T>();
}

/** count(), uniqExact(uuid) and the duplicates between them. */
export async function landedCounts(
  client: ClickHouseClient,
  table: string,
): Promise<{ rows: number; unique: number; duplicates: number }> {
  const [row] = await queryRows<{ rows: string; unique: string }>(
    client,
    `SELECT count() AS rows, uniqExact(uuid) AS unique FROM ${table}`,
  );
  const rows = Number(row?.rows ?? 0);
  const unique = Number(row?.unique ?? 0);
  return { rows, unique, duplicates: rows - unique };
}

/**
 * Compares the set of uuids in `table` with `expected`: uploads them and anti-joins both
 * ways. Returns how many are missing and how many are unexpected.
 */
export async function compareUuids(
  client: ClickHouseClient,
  table: string,
  expected: readonly string[],
  where = '1',
): Promise<{ missing: number; unexpected: number }> {
  const expectedTable = `${table}_expected`;
  await client.command({
    query: `CREATE TABLE IF NOT EXISTS ${expectedTable} (uuid UUID) ENGINE = MergeTree ORDER BY uuid`,
  });
  await client.command({ query: `TRUNCATE TABLE ${expectedTable}` });
  await client.insert({
    table: expectedTable,
    values: expected.map((uuid) => ({ uuid })),
    format: 'JSONEachRow',
  });
  const [missing] = await queryRows<{ n: string }>(
    client,
    `SELECT count() AS n FROM ${expectedTable} WHERE uuid NOT IN (SELECT uuid FROM ${table} WHERE ${where})`,
  );
  const [unexpected] = await queryRows<{ n: string }>(
    client,
    `SELECT count() AS n FROM ${table} WHERE ${where} AND uuid NOT IN (SELECT uuid FROM ${expectedTable})`,
  );
  return { missing: Number(missing?.n ?? -1), unexpected: Number(unexpected?.n ?? -1) };
}

/** The table holds exactly `uuids`: right count, no duplicates, the same set. */
export async function assertLandedExactlyOnce(
  client: ClickHouseClient,
  table: string,
  uuids: readonly string[],
): Promise<void> {
  assert.deepEqual(await landedCounts(client, table), {
    rows: uuids.length,
    unique: uuids.length,
    duplicates: 0,
  });
  assert.deepEqual(await compareUuids(client, table, uuids), { missing: 0, unexpected: 0 });
}

/** Prompt and completion tokens of every row in `table`, summed (against sumTokens of the events sent). */
export async function tokenTotal(client: ClickHouseClient, table: string): Promise<number> {
  const [row] = await queryRows<{ t: string }>(
    client,
    `SELECT sum(tokens_prompt + tokens_completion) AS t FROM ${table}`,
  );
  return Number(row?.t);
}
