import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Session } from 'chdb';
import { EVENT_COLUMNS } from '../../../src/serialise/event-columns.ts';
import { renderSchema } from '../../../src/schema/render-schema.ts';
import { splitStatements } from '../../../src/schema/split-statements.ts';

/**
 * HIP-47's own DDL (test/fixtures/schema/hip47-*.sql, copied verbatim from the HIP) is
 * created next to ours in ClickHouse (chDB, in process), and the two are compared column by
 * column as ClickHouse itself describes them in system.columns and system.tables.
 */
const FIXTURES = join(import.meta.dirname, '../../fixtures/schema');
const OUR_EXTRA_COLUMNS = [
  'cost_source',
  'retention_months',
  '_topic',
  '_partition',
  '_offset',
  '_ingested_at',
];

const session = new Session();
after(() => session.cleanup());

async function run(sql: string): Promise<void> {
  await session.queryAsync(sql, { format: 'TSV' });
}

async function rows<T>(sql: string): Promise<T[]> {
  const text = (await session.queryAsync(sql, { format: 'JSONEachRow' })).text().trim();
  return text === '' ? [] : text.split('\n').map((line) => JSON.parse(line) as T);
}

/** HIP-47's statements as written, minus the cluster (no cluster runs here). */
function hipStatements(file: string, table: string): string[] {
  return splitStatements(readFileSync(join(FIXTURES, file), 'utf8')).map((sql) =>
    sql
      .replace(/ ON CLUSTER '\{cluster\}'/g, '')
      .replace(/ReplicatedMergeTree\([^)]*\)/, 'MergeTree')
      .replace(/^CREATE TABLE events\b/, `CREATE TABLE hip.${table}`),
  );
}

interface Column {
  name: string;
  type: string;
  default_kind: string;
  default_expression: string;
  compression_codec: string;
}

const columnsOf = (db: string, table: string): Promise<Column[]> =>
  rows<Column>(
    `SELECT name, type, default_kind, default_expression, compression_codec FROM system.columns
     WHERE database = '${db}' AND table = '${table}' ORDER BY position`,
  );

describe('the events table is HIP-47’s', () => {
  before(async () => {
    await run('CREATE DATABASE hip');
    for (const sql of hipStatements('hip47-events.sql', 'events')) await run(sql);
    for (const sql of hipStatements('hip47-codecs.sql', 'codecs')) {
      await run(`${sql} ENGINE = MergeTree ORDER BY tuple()`);
    }
    await run('CREATE DATABASE ours');
    for (const statement of renderSchema({ database: 'ours' })) await run(statement.sql);
  });

  test('every HIP-47 column, in order, with its type and default; plus only the ingestion columns', async () => {
    const hip = await columnsOf('hip', 'events');
    const ours = await columnsOf('ours', 'events');
    assert.equal(hip.length, 31, 'HIP-47 lists 31 columns');
    const strip = ({ name, type, default_kind, default_expression }: Column) => ({
      name,
      type,
      default_kind,
      default_expression,
    });
    assert.deepEqual(
      ours.filter((c) => !OUR_EXTRA_COLUMNS.includes(c.name)).map(strip),
      hip.map(strip),
    );
    assert.deepEqual(
      ours.filter((c) => !hip.some((h) => h.name === c.name)).map((c) => `${c.name} ${c.type}`),
      [
        'cost_source LowCardinality(String)',
        'retention_months UInt16',
        '_topic LowCardinality(String)',
        '_partition UInt16',
        '_offset UInt64',
        "_ingested_at DateTime64(3, 'UTC')",
      ],
    );
  });

  test('the codecs of HIP-47’s compression section; every other column has one by its rationale', async () => {
    const hip = await columnsOf('hip', 'codecs');
    const ours = new Map((await columnsOf('ours', 'events')).map((c) => [c.name, c]));
    assert.equal(hip.length, 14);
    for (const column of hip) {
      assert.equal(ours.get(column.name)?.compression_codec, column.compression_codec, column.name);
    }
    for (const column of ours.values()) {
      assert.notEqual(column.compression_codec, '', `${column.name} has no codec`);
      if (column.type.startsWith('LowCardinality(String)')) {
        assert.equal(column.compression_codec, 'CODEC(ZSTD(1))', column.name);
      }
      if (/^DateTime64/.test(column.type)) {
        assert.equal(column.compression_codec, 'CODEC(DoubleDelta, LZ4)', column.name);
      }
    }
  });

  test('partitioning, sorting key, granularity as HIP-47; TTL per team (12 months by default); deduplication window', async () => {
    const [hip] = await rows<{ partition_key: string; sorting_key: string }>(
      "SELECT partition_key, sorting_key FROM system.tables WHERE database = 'hip' AND name = 'events'",
    );
    const [ours] = await rows<{ partition_key: string; sorting_key: string; engine_full: string }>(
      "SELECT partition_key, sorting_key, engine_full FROM system.tables WHERE database = 'ours' AND name = 'events'",
    );
    assert.equal(ours?.partition_key, 'toYYYYMM(timestamp)');
    assert.equal(ours.partition_key, hip?.partition_key);
    assert.equal(
      ours.sorting_key,
      'team_id, toDate(timestamp), event, cityHash64(distinct_id), uuid',
    );
    assert.equal(ours.sorting_key, hip?.sorting_key);
    // HIP-47 writes `timestamp + INTERVAL 12 MONTH`; a DateTime64 TTL needs ClickHouse 25.7+,
    // HIP-47 targets 24.x+, so the expiry is written through toDateTime(). The months are the
    // row's retention_months (HIP-47's per-team override from team_settings), 12 by default.
    assert.match(
      ours.engine_full,
      /TTL toDateTime\(timestamp\) \+ toIntervalMonth\(retention_months\)/,
    );
    const [column] = (await columnsOf('ours', 'events')).filter(
      (c) => c.name === 'retention_months',
    );
    assert.deepEqual([column?.default_kind, column?.default_expression], ['DEFAULT', '12']);
    assert.match(ours.engine_full, /index_granularity = 8192/);
    assert.match(ours.engine_full, /non_replicated_deduplication_window = 1000/);
  });

  test('the worker writes only columns the table has', async () => {
    const names = new Set((await columnsOf('ours', 'events')).map((c) => c.name));
    assert.deepEqual(
      EVENT_COLUMNS.filter((c) => !names.has(c)),
      [],
    );
  });

  test('rollups keep 36 months, partitioned by month as HIP-47 lists', async () => {
    const tables = await rows<{ name: string; partition_key: string; engine_full: string }>(
      "SELECT name, partition_key, engine_full FROM system.tables WHERE database = 'ours' AND engine LIKE '%MergeTree' ORDER BY name",
    );
    const byName = new Map(tables.map((t) => [t.name, t]));
    const expected: Record<string, [string, RegExp]> = {
      sessions: [
        'toYYYYMM(session_start)',
        /TTL toDateTime\(session_end\) \+ toIntervalMonth\(36\)/,
      ],
      events_hourly: ['toYYYYMM(hour)', /TTL hour \+ toIntervalMonth\(36\)/],
      token_usage_daily: ['toYYYYMM(day)', /TTL day \+ toIntervalMonth\(36\)/],
    };
    for (const [name, [partition, ttl]] of Object.entries(expected)) {
      assert.equal(byName.get(name)?.partition_key, partition, name);
      assert.match(byName.get(name)?.engine_full ?? '', ttl, name);
      assert.match(
        byName.get(name)?.engine_full ?? '',
        /non_replicated_deduplication_window = 1000/,
      );
    }
  });
});
