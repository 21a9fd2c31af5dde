import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { MigrationSource } from '../../../src/schema/migration-sources.ts';
import { renderMigrations, schemaTableName } from '../../../src/schema/render-schema.ts';
import { resolveTarget, SchemaRenderError } from '../../../src/schema/schema-target.ts';

const source = (
  up: string,
  down = 'DROP TABLE IF EXISTS {{table t}}{{on_cluster}} SYNC',
): MigrationSource => ({
  version: 1,
  name: 'test',
  up,
  down,
  checksum: 'x',
});

const TABLE = `CREATE TABLE IF NOT EXISTS {{table t}}{{on_cluster}} (a UInt8)
ENGINE = {{engine t SummingMergeTree((a))}} ORDER BY a SETTINGS {{dedup_window}};
{{distributed t cityHash64(a, a)}};
CREATE VIEW IF NOT EXISTS {{table v}}{{on_cluster}} AS SELECT * FROM {{read t}} JOIN {{table t}} USING a`;

function upSql(target: Parameters<typeof renderMigrations>[0], up = TABLE): string[] {
  return renderMigrations(target, [source(up)])[0]!.up.map((s) => s.sql);
}

describe('schema templates', () => {
  test('unclustered: plain engine, non-replicated dedup window, no Distributed statement', () => {
    assert.deepEqual(upSql({ database: 'db' }), [
      'CREATE TABLE IF NOT EXISTS db.t (a UInt8)\nENGINE = SummingMergeTree((a)) ORDER BY a SETTINGS non_replicated_deduplication_window = 1000',
      'CREATE VIEW IF NOT EXISTS db.v AS SELECT * FROM db.t JOIN db.t USING a',
    ]);
  });

  test('clustered: ON CLUSTER, Replicated engine with per-shard Keeper path and engine args', () => {
    assert.deepEqual(upSql({ database: 'db', cluster: '{cluster}', deduplicationWindow: 50 }), [
      "CREATE TABLE IF NOT EXISTS db.t ON CLUSTER '{cluster}' (a UInt8)\nENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/{database}/t', '{replica}', (a)) ORDER BY a SETTINGS replicated_deduplication_window = 50",
      "CREATE VIEW IF NOT EXISTS db.v ON CLUSTER '{cluster}' AS SELECT * FROM db.t JOIN db.t USING a",
    ]);
  });

  test('distributed: storage moves to <name>_local, the Distributed table takes the name', () => {
    assert.deepEqual(upSql({ database: 'db', cluster: 'hanzo_cluster', distributed: true }), [
      "CREATE TABLE IF NOT EXISTS db.t_local ON CLUSTER 'hanzo_cluster' (a UInt8)\nENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/{database}/t_local', '{replica}', (a)) ORDER BY a SETTINGS replicated_deduplication_window = 1000",
      "CREATE TABLE IF NOT EXISTS db.t ON CLUSTER 'hanzo_cluster'\nAS db.t_local\nENGINE = Distributed('hanzo_cluster', db, t_local, cityHash64(a, a))",
      "CREATE VIEW IF NOT EXISTS db.v ON CLUSTER 'hanzo_cluster' AS SELECT * FROM db.t JOIN db.t_local USING a",
    ]);
    const down = renderMigrations({ database: 'db', cluster: 'c', distributed: true }, [
      source(TABLE, '{{drop_distributed t}};\nDROP TABLE IF EXISTS {{table t}}{{on_cluster}} SYNC'),
    ])[0]!.down.map((s) => s.sql);
    assert.deepEqual(down, [
      "DROP TABLE IF EXISTS db.t ON CLUSTER 'c' SYNC",
      "DROP TABLE IF EXISTS db.t_local ON CLUSTER 'c' SYNC",
    ]);
  });

  test('the events table name renames every object of its schema; `events` keeps HIP-47 names', () => {
    const names = (eventsTable: string) =>
      ['events', 'events_hourly', 'sessions', 'token_usage_daily'].map(
        (logical) => schemaTableName({ database: 'd', eventsTable }, logical).read,
      );
    assert.deepEqual(names('events'), [
      'd.events',
      'd.events_hourly',
      'd.sessions',
      'd.token_usage_daily',
    ]);
    assert.deepEqual(names('t1'), [
      'd.t1',
      'd.t1_hourly',
      'd.t1_sessions',
      'd.t1_token_usage_daily',
    ]);
    assert.deepEqual(
      schemaTableName({ database: 'd', cluster: 'c', distributed: true }, 'events'),
      {
        storage: 'd.events_local',
        read: 'd.events',
      },
    );
  });

  test('mistakes fail with a SchemaRenderError naming them', () => {
    const cases: [Parameters<typeof renderMigrations>[0], string, RegExp][] = [
      [{ database: 'db' }, 'SELECT {{nope}}', /unknown placeholder \{\{nope\}\}/],
      [{ database: 'db' }, 'SELECT 1 FROM x {{distributed t}}', /must be a statement of its own/],
      [{ database: 'db' }, 'ENGINE = {{engine t ReplicatedMergeTree}}', /write the single-node/],
      [{ database: 'db' }, 'ENGINE = {{engine t Log}}', /write the single-node/],
      [{ database: 'db' }, 'SELECT {{table t u}}', /takes 1 argument/],
      [{ database: 'db; DROP' }, 'SELECT 1', /database: "db; DROP" is not a plain SQL identifier/],
      [{ database: 'db', cluster: "c' x" }, 'SELECT 1', /not a cluster name or macro/],
      [{ database: 'db', distributed: true }, 'SELECT 1', /Distributed tables need a cluster/],
    ];
    for (const [target, up, message] of cases) {
      assert.throws(
        () => upSql(target, up),
        (err: unknown) => {
          assert.ok(err instanceof SchemaRenderError, String(err));
          assert.match(err.message, message);
          return true;
        },
      );
    }
  });

  test('defaults: events table, dedup window 1000, empty cluster means unclustered', () => {
    assert.deepEqual(resolveTarget({ database: 'd', cluster: '' }), {
      database: 'd',
      eventsTable: 'events',
      cluster: undefined,
      distributed: false,
      deduplicationWindow: 1000,
    });
  });
});
