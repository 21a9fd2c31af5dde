import { randomUUID } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import type { ResolvedTarget } from '../schema/schema-target.ts';
import type { RenderedMigration } from '../schema/render-schema.ts';
import {
  bookkeepingReadSettings,
  bookkeepingWriteSettings,
  LEDGER_TABLE,
  renderingName,
} from './bookkeeping-tables.ts';
import type { LedgerEntry } from './plan-migrations.ts';

/**
 * The ledger is append-only: applying or reverting a migration adds a row, and a version's
 * state is its row with the highest `seq`. `schema_name` (the events table) keeps the
 * records of independent schemas in one database apart.
 */
export async function readLedger(
  client: ClickHouseClient,
  target: ResolvedTarget,
): Promise<LedgerEntry[]> {
  const result = await client.query({
    query: `SELECT
    version,
    argMax(name, seq) AS name,
    argMax(direction, seq) AS direction,
    argMax(checksum, seq) AS checksum,
    argMax(rendering, seq) AS rendering,
    toString(argMax(applied_at, seq)) AS appliedAt,
    argMax(applied_by, seq) AS appliedBy
FROM ${target.database}.${LEDGER_TABLE}
WHERE schema_name = {schema:String}
GROUP BY version
ORDER BY version`,
    query_params: { schema: target.eventsTable },
    format: 'JSONEachRow',
    clickhouse_settings: bookkeepingReadSettings(target),
  });
  return result.json<LedgerEntry>();
}

export interface LedgerRecord {
  readonly migration: RenderedMigration;
  readonly direction: 'up' | 'down';
  readonly lockEpoch: number;
  readonly durationMs: number;
  readonly appliedBy: string;
}

/**
 * Appends one record. Only the lock holder writes, so `max(seq) + 1` is free. The write is
 * retried with the same token, so a retry after a lost response is stored once.
 */
export async function recordMigration(
  client: ClickHouseClient,
  target: ResolvedTarget,
  record: LedgerRecord,
): Promise<void> {
  const seq = (await lastSeq(client, target)) + 1;
  const token = `${LEDGER_TABLE}:${target.eventsTable}:${seq}:${randomUUID()}`;
  await withRetries(3, () =>
    client.insert({
      table: `${target.database}.${LEDGER_TABLE}`,
      values: [
        {
          schema_name: target.eventsTable,
          version: record.migration.version,
          name: record.migration.name,
          direction: record.direction,
          checksum: record.migration.checksum,
          rendering: renderingName(target),
          seq,
          lock_epoch: record.lockEpoch,
          statements: (record.direction === 'up' ? record.migration.up : record.migration.down)
            .length,
          duration_ms: Math.round(record.durationMs),
          applied_by: record.appliedBy,
        },
      ],
      format: 'JSONEachRow',
      clickhouse_settings: {
        ...bookkeepingWriteSettings(target),
        insert_deduplicate: 1,
        insert_deduplication_token: token,
      },
    }),
  );
}

async function withRetries<T>(attempts: number, action: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await action();
    } catch (err) {
      if (attempt >= attempts) throw err;
      await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
    }
  }
}

async function lastSeq(client: ClickHouseClient, target: ResolvedTarget): Promise<number> {
  const result = await client.query({
    query: `SELECT max(seq) AS seq FROM ${target.database}.${LEDGER_TABLE} WHERE schema_name = {schema:String}`,
    query_params: { schema: target.eventsTable },
    format: 'JSONEachRow',
    clickhouse_settings: bookkeepingReadSettings(target),
  });
  const [row] = await result.json<{ seq: string | number }>();
  return Number(row?.seq ?? 0);
}
