import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import type { EventRow } from '../../../src/decode/event-row.ts';
import { migrateUp } from '../../../src/migrate/run-migrations.ts';
import { insertRows } from '../../../src/sink/insert-rows.ts';
import { formattedRows } from '../../fixtures/schema/known-events.ts';
import { ROW_BINARY } from '../../../src/serialise/row-format.ts';
import { testClickHouse } from '../../support/clickhouse.ts';
import { testStack, uniqueName } from '../../support/stack-env.ts';

/** A database of its own holding the migrated HIP-47 schema, and clients for it. */
export interface SchemaDatabase {
  readonly database: string;
  /** Session database = the schema's: HIP-47's queries run as written (`FROM events`). */
  readonly client: ClickHouseClient;
  /** No session database: for DDL and fully qualified names. */
  readonly admin: ClickHouseClient;
  close(): Promise<void>;
}

export async function migratedDatabase(prefix: string): Promise<SchemaDatabase> {
  const database = uniqueName(prefix);
  const admin = testClickHouse();
  await migrateUp(admin, { database });
  const { url, username, password } = testStack().clickhouse;
  const client = createClient({
    url,
    username,
    password,
    database,
    request_timeout: 120_000,
    log: { level: ClickHouseLogLevel.OFF },
  });
  return {
    database,
    client,
    admin,
    close: async () => {
      await admin.command({ query: `DROP DATABASE IF EXISTS ${database} SYNC` });
      await Promise.all([client.close(), admin.close()]);
    },
  };
}

/** Inserts rows exactly as the worker does: its insert function, settings and token. */
export async function insertEvents(
  db: SchemaDatabase,
  rows: readonly EventRow[],
  token: string,
): Promise<void> {
  await insertRows(
    { client: db.admin, database: db.database, table: 'events', format: ROW_BINARY },
    formattedRows(rows),
    token,
  );
}

export async function select<T>(
  client: ClickHouseClient,
  query: string,
  params: Record<string, unknown> = {},
): Promise<T[]> {
  const result = await client.query({ query, query_params: params, format: 'JSONEachRow' });
  return result.json<T>();
}

const QUERIES = join(import.meta.dirname, '../../fixtures/schema/hip47-queries');

/** A query from test/fixtures/schema/hip47-queries, without its trailing `;`. */
export function hipQuery(name: string): string {
  return readFileSync(join(QUERIES, `${name}.sql`), 'utf8')
    .trim()
    .replace(/;$/, '');
}
