/**
 * The worker inserts RowBinary; JSONCompactEachRow is kept for tables with other column types.
 * On the real engine: both formats land the same rows (corpus events through the real steps
 * with full enrichment, and rows at every type's edges); the RowBinary types are the migrated
 * table's; the start-up choice reads the table; a type changed under a running worker is a
 * configuration failure (retried, never dead-lettering the rows).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { loadConfig } from '../../../src/config/load-config.ts';
import { createDecoder } from '../../../src/decode/create-decoder.ts';
import { toClickHouseDateTime64, type EventRow } from '../../../src/decode/event-row.ts';
import { createEnrichment } from '../../../src/enrich/create-enrichment.ts';
import {
  JSON_COMPACT_ROWS,
  ROW_BINARY,
  type RowFormat,
} from '../../../src/serialise/row-format.ts';
import { chooseRowFormat, columnTypeDifferences } from '../../../src/sink/choose-row-format.ts';
import { classifyInsertError } from '../../../src/sink/classify-insert-error.ts';
import { insertRows } from '../../../src/sink/insert-rows.ts';
import { BenchEventGenerator } from '../../bench/corpus/bench-events.ts';
import { decodeRow } from '../../fixtures/decode/decode-row.ts';
import { eventRow, formattedRows } from '../../fixtures/schema/known-events.ts';
import { createEventsTable, queryRows, testClickHouse } from '../../support/clickhouse.ts';
import { uniqueName } from '../../support/stack-env.ts';
import { migratedDatabase, type SchemaDatabase } from '../schema/schema-database.ts';

const log = pino({ level: 'silent' });

/** The corpus as the worker's steps make rows of it: decode, full enrichment, finish. */
async function corpusRows(events: number): Promise<EventRow[]> {
  const config = loadConfig({ env: { KAFKA_BROKERS: '127.0.0.1:9092' } });
  const enrichment = await createEnrichment({
    ...config.enrich,
    geo: { ...config.enrich.geo, watchIntervalMs: 0 },
  });
  try {
    const { decoder } = createDecoder(config.decode);
    const corpus = new BenchEventGenerator({ seed: 11, endMs: Date.now() });
    const nowMs = Date.now();
    const context = { nowMs, ingestedAt: toClickHouseDateTime64(nowMs) };
    return Array.from({ length: events }, (_, i) => {
      const value = Buffer.from(JSON.stringify(corpus.next()));
      const message = {
        topic: 'hanzo_events',
        partition: 3,
        offset: String(i),
        timestampMs: nowMs,
        value,
      };
      const outcome = decodeRow(decoder, message, context, enrichment.stage);
      assert.ok(outcome.ok, outcome.ok ? '' : outcome.deadLetter.message);
      return outcome.value;
    });
  } finally {
    enrichment.close();
  }
}

/** Rows at the edges of each column type. */
function edgeRows(): EventRow[] {
  const recent = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1, 12));
  const row = (fields: Partial<EventRow>): EventRow => ({
    ...eventRow({ team_id: 1, distinct_id: 'd', event: 'e', at: recent }),
    ...fields,
  });
  return [
    row({ team_id: '18446744073709551615', _offset: '9223372036854775807', _partition: 65_535 }),
    row({ team_id: 0, tokens_prompt: 4_294_967_295, tokens_completion: 1 }),
    row({
      distinct_id: 'emoji 😀, 東京, Grüße, "quotes", back\\slash, new\nline, tab\t, nul \u0000',
    }),
    row({ url: `https://example.com/${'p'.repeat(300)}`, referrer: 'é'.repeat(5_000) }),
    row({ properties: JSON.stringify({ big: 'x'.repeat(70_000), nested: { a: [1, 'é', null] } }) }),
    row({ cost_usd: '9999999999.99999999', cost_source: 'provided', model: 'gpt-4o' }),
    row({ cost_usd: '0.00000001' }),
    row({ cost_usd: '12.5' }),
    row({ country_code: 'US', city: 'São Paulo', region: '' }),
    row({ retention_months: 65_535 }),
    row({ timestamp: '2299-12-31 23:59:59.999' }),
    row({ timestamp: toClickHouseDateTime64(Date.UTC(2028, 1, 29, 0, 0, 0, 1)) }),
  ];
}

/** Every column but the insert-time default, as text, in a fixed order. */
async function tableText(db: SchemaDatabase, table: string): Promise<string> {
  const result = await db.admin.query({
    query: `SELECT * EXCEPT (created_at) FROM ${db.database}.${table} ORDER BY uuid, _offset`,
    format: 'JSONCompactEachRow',
  });
  return result.text();
}

async function insertAll(
  db: SchemaDatabase,
  table: string,
  rows: readonly EventRow[],
  format: RowFormat,
): Promise<void> {
  const target = { client: db.admin, database: db.database, table, format };
  for (let i = 0; i < rows.length; i += 1_000) {
    await insertRows(target, formattedRows(rows.slice(i, i + 1_000), format), `${table}:${i}`);
  }
}

describe('row formats on the real engine', () => {
  let db: SchemaDatabase;
  before(async () => {
    db = await migratedDatabase('rowfmt');
  });
  after(() => db.close());

  test("the RowBinary types are the migrated events table's", async () => {
    const columns = await queryRows<{ name: string; type: string }>(
      db.admin,
      'SELECT name, type FROM system.columns WHERE database = {db:String} AND table = {table:String}',
      { db: db.database, table: 'events' },
    );
    assert.deepEqual(columnTypeDifferences(new Map(columns.map((c) => [c.name, c.type]))), []);
    assert.equal(
      await chooseRowFormat(db.admin, { database: db.database, table: 'events' }, log),
      ROW_BINARY,
    );
  });

  test('RowBinary and JSON land the same rows: the corpus fully enriched, and every edge', async () => {
    const rows = [...(await corpusRows(4_000)), ...edgeRows()];
    const viaJson = 'events';
    const viaBinary = 'events_binary';
    await db.admin.command({
      query: `CREATE TABLE ${db.database}.${viaBinary} AS ${db.database}.events`,
    });
    await insertAll(db, viaJson, rows, JSON_COMPACT_ROWS);
    await insertAll(db, viaBinary, rows, ROW_BINARY);
    const [json, binary] = [await tableText(db, viaJson), await tableText(db, viaBinary)];
    assert.equal(json.split('\n').length - 1, rows.length, 'every row landed');
    assert.ok(json === binary, 'the same rows, byte for byte');
    const [sums] = await queryRows<{ costs: string; countries: string }>(
      db.admin,
      `SELECT toString(sum(cost_usd)) AS costs, toString(countIf(country_code != '')) AS countries FROM ${db.database}.${viaBinary}`,
    );
    assert.ok(
      Number(sums!.costs) > 9_999_999_999 && Number(sums!.countries) > 1_000,
      'enriched rows',
    );
  });

  test('a table with other column types gets JSON rows; RowBinary into it is a configuration failure', async () => {
    const table = uniqueName('other_types');
    await db.admin.command({
      query: `CREATE TABLE ${db.database}.${table} AS ${db.database}.events`,
    });
    await db.admin.command({
      query: `ALTER TABLE ${db.database}.${table} MODIFY COLUMN browser String, MODIFY COLUMN tokens_prompt UInt64`,
    });
    const target = { database: db.database, table };
    assert.equal(await chooseRowFormat(db.admin, target, log), JSON_COMPACT_ROWS);
    const rows = edgeRows();
    await insertAll(db, table, rows, JSON_COMPACT_ROWS);
    const [landed] = await queryRows<{ n: string }>(
      db.admin,
      `SELECT count() AS n FROM ${db.database}.${table}`,
    );
    assert.equal(Number(landed!.n), rows.length);
    await assert.rejects(
      insertRows({ ...target, client: db.admin, format: ROW_BINARY }, formattedRows(rows), 't'),
      (err) => classifyInsertError(err) === 'configuration',
    );
  });

  test('a table not there yet gets JSON rows, which any types will take', async () => {
    const client = testClickHouse();
    try {
      const missing = { database: 'default', table: uniqueName('missing') };
      assert.equal(await chooseRowFormat(client, missing, log), JSON_COMPACT_ROWS);
      await createEventsTable(client, missing.table);
      assert.equal(await chooseRowFormat(client, missing, log), ROW_BINARY);
    } finally {
      await client.close();
    }
  });
});
