import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { LEDGER_TABLE, LOCK_TABLE } from '../../../src/migrate/bookkeeping-tables.ts';
import {
  MigrationPlanError,
  MigrationStatementError,
} from '../../../src/migrate/migrate-errors.ts';
import { migrateDown, migrateUp, migrationStatus } from '../../../src/migrate/run-migrations.ts';
import type { MigrationSource } from '../../../src/schema/migration-sources.ts';
import { migrationSources } from '../../../src/schema/render-schema.ts';
import { testClickHouse } from '../../support/clickhouse.ts';
import { uniqueName } from '../../support/stack-env.ts';
import { ledgerRows, schemaSnapshot, tableNames } from './schema-snapshot.ts';

const ALL = [
  '0001_events',
  '0002_sessions',
  '0003_events_hourly',
  '0004_token_usage_daily',
  '0005_team_retention',
];
const SCHEMA_OBJECTS = [
  'events',
  'events_hourly',
  'events_hourly_merged',
  'events_hourly_mv',
  'sessions',
  'sessions_merged',
  'sessions_mv',
  'token_usage_daily',
  'token_usage_daily_mv',
];
const BOOKKEEPING = [LEDGER_TABLE, LOCK_TABLE].sort();

describe('migrations on the local stack', () => {
  const client = testClickHouse();
  const databases: string[] = [];
  const fresh = (): string => {
    const database = uniqueName('migrate');
    databases.push(database);
    return database;
  };
  after(async () => {
    for (const db of databases)
      await client.command({ query: `DROP DATABASE IF EXISTS ${db} SYNC` });
    await client.close();
  });

  test('up, down, up again: the same schema (system.columns, system.tables, SHOW CREATE)', async () => {
    const database = fresh();
    const up = await migrateUp(client, { database });
    assert.deepEqual(up.migrations, ALL);
    assert.deepEqual(
      await tableNames(client, database),
      [...BOOKKEEPING, ...SCHEMA_OBJECTS].sort(),
    );
    const first = await schemaSnapshot(client, database);
    // events 37; sessions, sessions_mv 17, sessions_merged 18; hourly ×3 5; token usage ×2 10
    assert.equal(first.columns.length, 37 + 17 * 2 + 18 + 5 * 3 + 10 * 2);

    const down = await migrateDown(client, { database, steps: 5 });
    assert.deepEqual(down.migrations, [...ALL].reverse());
    assert.deepEqual(
      await tableNames(client, database),
      BOOKKEEPING,
      'down removes everything it created',
    );

    assert.deepEqual((await migrateUp(client, { database })).migrations, ALL);
    assert.deepEqual(await schemaSnapshot(client, database), first);

    // Partial round trip: the newest three down and up again.
    assert.deepEqual((await migrateDown(client, { database, steps: 3 })).migrations, [
      '0005_team_retention',
      '0004_token_usage_daily',
      '0003_events_hourly',
    ]);
    assert.deepEqual(
      (await migrationStatus(client, { database })).map((r) => [r.id, r.state]),
      [
        ['0001_events', 'applied'],
        ['0002_sessions', 'applied'],
        ['0003_events_hourly', 'pending'],
        ['0004_token_usage_daily', 'pending'],
        ['0005_team_retention', 'pending'],
      ],
    );
    assert.deepEqual((await migrateUp(client, { database })).migrations, ALL.slice(2));
    assert.deepEqual(await schemaSnapshot(client, database), first);

    // The ledger holds every step, in order.
    assert.deepEqual(
      (await ledgerRows(client, database)).map((r) => `${r.version}${r.direction}`),
      [
        '1up',
        '2up',
        '3up',
        '4up',
        '5up',
        '5down',
        '4down',
        '3down',
        '2down',
        '1down',
        '1up',
        '2up',
        '3up',
        '4up',
        '5up',
        '5down',
        '4down',
        '3down',
        '3up',
        '4up',
        '5up',
      ],
    );
  });

  test('idempotent: nothing pending sends nothing; a lost ledger re-applies without error', async () => {
    const database = fresh();
    await migrateUp(client, { database });
    const before = await schemaSnapshot(client, database);
    const again = await migrateUp(client, { database });
    assert.deepEqual(again, { direction: 'up', dryRun: false, migrations: [], statements: [] });

    // Every statement is IF [NOT] EXISTS: re-running applied migrations is harmless.
    await client.command({ query: `TRUNCATE TABLE ${database}.${LEDGER_TABLE}` });
    assert.deepEqual((await migrateUp(client, { database })).migrations, ALL);
    assert.deepEqual(await schemaSnapshot(client, database), before);
    const status = await migrationStatus(client, { database });
    assert.ok(
      status.every(
        (r) => r.state === 'applied' && r.checksumMatches === true && r.rendering === 'unclustered',
      ),
    );
  });

  test('dry run: the pending statements, nothing sent, nothing recorded', async () => {
    const database = fresh();
    const plan = await migrateUp(client, { database, dryRun: true });
    assert.deepEqual(plan.migrations, ALL);
    assert.equal(plan.statements.length, 12);
    assert.match(
      plan.statements[0]!.sql,
      new RegExp(`^CREATE TABLE IF NOT EXISTS ${database}\\.events\\n`),
    );
    assert.deepEqual(await tableNames(client, database), [], 'not even the database');
  });

  test('a failing migration is not recorded, releases the lock, and runs again once fixed', async () => {
    const database = fresh();
    const broken: MigrationSource = {
      version: 6,
      name: 'team_index',
      up: `ALTER TABLE {{table events}}{{on_cluster}} ADD INDEX IF NOT EXISTS team_bf team_id TYPE bloom_filter GRANULARITY 4;
           SELECT throwIf(1, 'half-way failure')`,
      down: 'ALTER TABLE {{table events}}{{on_cluster}} DROP INDEX IF EXISTS team_bf',
      checksum: 'broken',
    };
    const sources = [...migrationSources(), broken];
    await assert.rejects(migrateUp(client, { database, sources }), (err: unknown) => {
      assert.ok(err instanceof MigrationStatementError);
      assert.match(err.message, /^0006_team_index: statement 2 failed .*half-way failure/s);
      return true;
    });
    assert.deepEqual(
      (await ledgerRows(client, database)).map((r) => r.version),
      [1, 2, 3, 4, 5],
      '0006 is not recorded',
    );
    // The lease the failed run held (the latest epoch) was given back rather than left to go
    // stale (60 s): read from the lock table, not inferred from how long the next run takes.
    const released = await (
      await client.query({
        query: `SELECT countIf(kind = 'release') AS n FROM ${database}.${LOCK_TABLE}
                WHERE epoch = (SELECT max(epoch) FROM ${database}.${LOCK_TABLE})`,
        format: 'JSONEachRow',
      })
    ).json<{ n: string | number }>();
    assert.equal(Number(released[0]?.n), 1, 'the failed run released its lock');
    const fixed = {
      ...broken,
      up: broken.up.replace(/SELECT throwIf[^]*$/, 'SELECT 1'),
      checksum: 'fixed',
    };
    const result = await migrateUp(client, { database, sources: [...migrationSources(), fixed] });
    assert.deepEqual(result.migrations, ['0006_team_index']);
    const [index] = await (
      await client.query({
        query: `SELECT name FROM system.data_skipping_indices WHERE database = '${database}' AND table = 'events'`,
        format: 'JSONEachRow',
      })
    ).json<{ name: string }>();
    assert.equal(index?.name, 'team_bf');
  });

  test('down refuses a migration this build does not know; status lists it', async () => {
    const database = fresh();
    const extra: MigrationSource = {
      version: 9,
      name: 'from_the_future',
      up: 'SELECT 1',
      down: 'SELECT 1',
      checksum: 'x',
    };
    await migrateUp(client, { database, sources: [...migrationSources(), extra] });
    await assert.rejects(migrateDown(client, { database }), MigrationPlanError);
    const status = await migrationStatus(client, { database });
    assert.deepEqual(status.at(-1), {
      id: '0009_from_the_future',
      version: 9,
      state: 'unknown',
      appliedAt: status.at(-1)?.appliedAt,
      appliedBy: status.at(-1)?.appliedBy,
      rendering: 'unclustered',
    });
  });

  test('schemas of different events tables share a database without touching each other', async () => {
    const database = fresh();
    await migrateUp(client, { database, eventsTable: 'a_events' });
    await migrateUp(client, { database, eventsTable: 'b_events' });
    await migrateDown(client, { database, eventsTable: 'a_events', steps: 5 });
    const names = await tableNames(client, database);
    assert.ok(names.includes('b_events_hourly_mv') && names.includes('b_events_sessions'));
    assert.ok(!names.some((n) => n.startsWith('a_events')), names.join(', '));
  });
});
