import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, describe, test } from 'node:test';
import { loadConfig } from '../../../src/config/load-config.ts';
import { CLI_ENTRY, NODE_FLAGS } from '../../demo/worker-env.ts';
import { prepareClickHouse } from '../../../src/main.ts';
import { bookkeepingStatements, LOCK_TABLE } from '../../../src/migrate/bookkeeping-tables.ts';
import {
  MigrationLockLostError,
  MigrationLockTimeoutError,
} from '../../../src/migrate/migrate-errors.ts';
import { acquireMigrationLock } from '../../../src/migrate/migration-lock.ts';
import { createLogger } from '../../../src/log/logger.ts';
import { resolveTarget } from '../../../src/schema/schema-target.ts';
import { testClickHouse } from '../../support/clickhouse.ts';
import { testStack, uniqueName } from '../../support/stack-env.ts';
import { ledgerRows, tableNames } from './schema-snapshot.ts';

const VERSIONS = [1, 2, 3, 4, 5];

interface MigrateProcess {
  /** Resolves once the process logged that it waits for the lock. */
  readonly waiting: Promise<void>;
  readonly done: Promise<{ result: { migrations: string[] }; log: string }>;
}

/** `hanzo-ingest migrate up --json` as its own process against the test stack. */
function migrateUpProcess(database: string, name: string): MigrateProcess {
  const { brokers, clickhouse } = testStack();
  const child = spawn(process.execPath, [...NODE_FLAGS, CLI_ENTRY, 'migrate', 'up', '--json'], {
    env: {
      PATH: process.env['PATH'] ?? '',
      KAFKA_BROKERS: brokers.join(','),
      CLICKHOUSE_URL: clickhouse.url,
      CLICKHOUSE_USER: clickhouse.username,
      CLICKHOUSE_PASSWORD: clickhouse.password,
      CLICKHOUSE_DATABASE: database,
      INGEST_WORKER_ID: name,
      LOG_LEVEL: 'info',
    },
  });
  let stdout = '';
  let stderr = '';
  let onWaiting: () => void = () => undefined;
  const waiting = new Promise<void>((resolve) => (onWaiting = resolve));
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    if (stderr.includes('waiting for the migration lock')) onWaiting();
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 180_000);
  const done = new Promise<{ result: { migrations: string[] }; log: string }>((resolve, reject) => {
    child.on('exit', (code) => {
      clearTimeout(killer);
      if (code !== 0) reject(new Error(`${name} exited with ${code}: ${stderr}`));
      else resolve({ result: JSON.parse(stdout) as { migrations: string[] }, log: stderr });
    });
  });
  return { waiting, done };
}

async function lockRows(database: string) {
  const client = testClickHouse();
  try {
    const result = await client.query({
      query: `SELECT epoch, kind, owner FROM ${database}.${LOCK_TABLE} ORDER BY epoch, at`,
      format: 'JSONEachRow',
    });
    return await result.json<{ epoch: string | number; kind: string; owner: string }>();
  } finally {
    await client.close();
  }
}

describe('several migrators at once apply each migration once', () => {
  const client = testClickHouse();
  const databases: string[] = [];
  const fresh = async (): Promise<string> => {
    const database = uniqueName('migrate_race');
    databases.push(database);
    for (const query of bookkeepingStatements(resolveTarget({ database }))) {
      await client.command({ query });
    }
    return database;
  };
  after(async () => {
    for (const db of databases)
      await client.command({ query: `DROP DATABASE IF EXISTS ${db} SYNC` });
    await client.close();
  });

  test('two `migrate up` processes racing for the lock: one applies all, the other nothing', async () => {
    const database = await fresh();
    // Hold the lock so both processes find work pending and queue behind it; on release
    // they race for the same lease epoch.
    const gate = await acquireMigrationLock(client, resolveTarget({ database }), {
      owner: 'test-gate',
    });
    const processes = [
      migrateUpProcess(database, 'migrator-a'),
      migrateUpProcess(database, 'migrator-b'),
    ];
    await Promise.race([
      Promise.all(processes.map((p) => p.waiting)),
      Promise.all(processes.map((p) => p.done)), // a process that failed early
    ]);
    await gate.release();
    const [a, b] = await Promise.all(processes.map((p) => p.done));

    const applied = [...a!.result.migrations, ...b!.result.migrations].sort();
    assert.deepEqual(applied, [
      '0001_events',
      '0002_sessions',
      '0003_events_hourly',
      '0004_token_usage_daily',
      '0005_team_retention',
    ]);
    assert.ok(
      a!.result.migrations.length === 0 || b!.result.migrations.length === 0,
      `one migrator applied everything: a=${a!.result.migrations.join()} b=${b!.result.migrations.join()}`,
    );
    const waited = [a!.log, b!.log].filter((log) => log.includes('waiting for the migration lock'));
    assert.equal(waited.length, 2, 'both processes found the lock held and waited');

    const ledger = await ledgerRows(client, database);
    assert.deepEqual(
      ledger.map((r) => `${r.version}${r.direction}`),
      VERSIONS.map((v) => `${v}up`),
    );
    assert.equal(new Set(ledger.map((r) => r.lock_epoch)).size, 1, 'all under one lease');

    // Every lease epoch was won by exactly one owner.
    const acquires = (await lockRows(database)).filter((r) => r.kind === 'acquire');
    const epochs = acquires.map((r) => Number(r.epoch));
    assert.deepEqual(
      epochs,
      [...new Set(epochs)].sort((x, y) => x - y),
    );
    assert.equal(acquires[0]?.owner, 'test-gate');
  });

  test('the lease is exclusive: six contenders never overlap', async () => {
    const database = await fresh();
    const target = resolveTarget({ database });
    const held: [number, number][] = [];
    await Promise.all(
      Array.from({ length: 6 }, async (_, i) => {
        const contender = testClickHouse();
        try {
          const lock = await acquireMigrationLock(contender, target, {
            owner: `contender-${i}`,
            timing: { pollMs: 50 },
          });
          const from = performance.now();
          await lock.assertHeld();
          await new Promise((resolve) => setTimeout(resolve, 300));
          await lock.assertHeld();
          held.push([from, performance.now()]);
          await lock.release();
        } finally {
          await contender.close();
        }
      }),
    );
    assert.equal(held.length, 6);
    held.sort((x, y) => x[0] - y[0]);
    for (let i = 1; i < held.length; i++) {
      assert.ok(held[i]![0] >= held[i - 1]![1], `lease ${i} began before lease ${i - 1} ended`);
    }
    const acquires = (await lockRows(database)).filter((r) => r.kind === 'acquire');
    assert.equal(acquires.length, 6);
    assert.equal(new Set(acquires.map((r) => r.epoch)).size, 6);
  });

  test('a dead holder’s lease goes stale and is taken over; the old holder then finds it lost', async () => {
    const database = await fresh();
    const target = resolveTarget({ database });
    // A lease goes stale after 10 s without a heartbeat row: 33 heartbeats of margin, so a
    // busy ClickHouse answering one late does not make a live holder look dead.
    const timing = { staleMs: 10_000, heartbeatMs: 300, pollMs: 100 };
    const dead = await acquireMigrationLock(client, target, { owner: 'dead', timing });
    dead.abandon(); // no more heartbeats, no release: a migrator killed mid-migration

    const impatient = acquireMigrationLock(client, target, {
      owner: 'impatient',
      timing: { ...timing, waitMs: 500 },
    });
    await assert.rejects(impatient, MigrationLockTimeoutError);

    const successor = await acquireMigrationLock(client, target, { owner: 'successor', timing });
    // Taken only once the dead lease had been silent for the stale timeout (server clock).
    const [gap] = await (
      await client.query({
        query: `SELECT dateDiff('millisecond', minIf(at, owner = 'dead'), minIf(at, owner = 'successor')) AS ms
                FROM ${database}.${LOCK_TABLE} WHERE kind = 'acquire'`,
        format: 'JSONEachRow',
      })
    ).json<{ ms: string | number }>();
    assert.ok(Number(gap?.ms) >= timing.staleMs, `taken over after ${gap?.ms} ms`);
    assert.equal(successor.epoch, dead.epoch + 1);
    await assert.rejects(dead.assertHeld(), MigrationLockLostError);
    await successor.assertHeld();

    // A live holder keeps its lease past the stale timeout by heart-beating.
    await new Promise((resolve) => setTimeout(resolve, timing.staleMs + 2_000));
    await assert.rejects(
      acquireMigrationLock(client, target, { owner: 'late', timing: { ...timing, waitMs: 1_500 } }),
      MigrationLockTimeoutError,
    );
    await successor.release();
  });

  test('workers starting together (`run` with CLICKHOUSE_MIGRATE_ON_START) migrate once', async () => {
    const database = uniqueName('migrate_on_start');
    databases.push(database);
    const { brokers, clickhouse } = testStack();
    const workers = ['w1', 'w2', 'w3'].map((id) =>
      loadConfig({
        env: {
          KAFKA_BROKERS: brokers.join(','),
          CLICKHOUSE_URL: clickhouse.url,
          CLICKHOUSE_USER: clickhouse.username,
          CLICKHOUSE_PASSWORD: clickhouse.password,
          CLICKHOUSE_DATABASE: database,
          CLICKHOUSE_MIGRATE_ON_START: 'true',
          INGEST_WORKER_ID: id,
          LOG_LEVEL: 'silent',
        },
      }),
    );
    await Promise.all(
      workers.map((config) => prepareClickHouse(config, createLogger('silent', config.workerId))),
    );
    const ledger = await ledgerRows(client, database);
    assert.deepEqual(
      ledger.map((r) => `${r.version}${r.direction}`),
      VERSIONS.map((v) => `${v}up`),
    );
    assert.ok((await tableNames(client, database)).includes('token_usage_daily_mv'));
  });
});
