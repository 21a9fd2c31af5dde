import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Session } from 'chdb';
import { renderMigrations, type Statement } from '../../../src/schema/render-schema.ts';
import { RENDERINGS } from './renderings.ts';

/**
 * No cluster (nor Keeper) runs here, so the clustered renderings cannot be executed; instead
 * ClickHouse's own parser (chDB 26.x, in process) must accept every statement, and the
 * parsed form must carry what makes it clustered. The unclustered rendering is also run for
 * real by the integration tests.
 */
const session = new Session();
after(() => session.cleanup());

async function formatQuery(sql: string): Promise<string> {
  const literal = `'${sql.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const result = await session.queryAsync(`SELECT formatQuery(${literal})`, {
    format: 'JSONEachRow',
  });
  const [row] = result
    .text()
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, string>);
  return Object.values(row ?? {})[0] ?? '';
}

function statementsOf(name: string): Statement[] {
  const target = RENDERINGS[name];
  assert.ok(target !== undefined);
  return renderMigrations(target).flatMap((m) => [...m.up, ...m.down]);
}

const MERGE_TREE_CREATE =
  /^CREATE TABLE IF NOT EXISTS hanzo\.(\w+)[\s\S]*ENGINE = (\w*MergeTree)\b/;

describe('ClickHouse parses every rendered statement', () => {
  for (const name of Object.keys(RENDERINGS)) {
    test(`${name}: every statement parses`, async () => {
      const statements = statementsOf(name);
      assert.ok(statements.length >= 18, `only ${statements.length} statements`);
      for (const statement of statements) {
        const formatted = await formatQuery(statement.sql).catch((err: unknown) => {
          assert.fail(
            `${statement.migration}: ClickHouse refused\n${statement.sql}\n${String(err)}`,
          );
        });
        assert.ok(formatted.length > 0);
        const clustered = name !== 'unclustered';
        assert.equal(
          formatted.includes('ON CLUSTER `{cluster}`'),
          clustered,
          `${statement.migration}: ON CLUSTER ${clustered ? 'missing' : 'unexpected'} in\n${formatted}`,
        );
      }
    });
  }

  test('clustered: every MergeTree table is replicated at /clickhouse/tables/{shard}/{database}/<table>', async () => {
    for (const name of ['clustered', 'clustered-distributed']) {
      let tables = 0;
      for (const statement of statementsOf(name)) {
        const formatted = await formatQuery(statement.sql);
        const match = MERGE_TREE_CREATE.exec(formatted);
        if (match === null) continue;
        tables++;
        const [, table, engine] = match;
        assert.match(engine!, /^Replicated(Aggregating|Summing)?MergeTree$/);
        assert.ok(
          formatted.includes(
            `${engine!}('/clickhouse/tables/{shard}/{database}/${table!}', '{replica}')`,
          ),
          formatted,
        );
        assert.match(formatted, /replicated_deduplication_window = 1000/);
        assert.doesNotMatch(formatted, /non_replicated_deduplication_window/);
        if (name === 'clustered-distributed') assert.match(table!, /_local$/);
      }
      assert.equal(tables, 4, `${name}: events, sessions, events_hourly, token_usage_daily`);
    }
  });

  test('clustered-distributed: a Distributed table with the HIP-47 name in front of each _local table', async () => {
    const distributed = new Map<string, string>();
    for (const statement of statementsOf('clustered-distributed')) {
      const formatted = await formatQuery(statement.sql);
      const match =
        /^CREATE TABLE IF NOT EXISTS hanzo\.(\w+) ON CLUSTER `\{cluster\}` AS hanzo\.(\w+)\s+ENGINE = Distributed\('\{cluster\}', hanzo, (\w+)(.*)\)$/s.exec(
          formatted,
        );
      if (match !== null) {
        assert.equal(match[2], `${match[1]!}_local`);
        assert.equal(match[3], match[2]);
        distributed.set(match[1]!, match[4]!);
      }
    }
    assert.deepEqual(Object.fromEntries(distributed), {
      events: ', cityHash64(distinct_id)',
      sessions: ', cityHash64(distinct_id)',
      events_hourly: '',
      token_usage_daily: '',
    });
  });

  test('unclustered: plain MergeTree family, each table remembering 1000 insert blocks', async () => {
    let tables = 0;
    for (const statement of statementsOf('unclustered')) {
      const formatted = await formatQuery(statement.sql);
      const match = MERGE_TREE_CREATE.exec(formatted);
      if (match === null) continue;
      tables++;
      assert.doesNotMatch(formatted, /Replicated|Distributed/);
      assert.match(formatted, /non_replicated_deduplication_window = 1000/);
    }
    assert.equal(tables, 4);
  });
});
