import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { Message } from 'kafkajs';
import {
  readTeamSettings,
  TeamSettingsReadError,
} from '../../../src/enrich/retention/read-team-settings.ts';
import { METRICS } from '../../../src/observe/metric-names.ts';
import { freePort } from '../../stack/process/free-port.ts';
import { startPostgres } from '../../stack/postgres/postgres-server.ts';
import { queryRows, testClickHouse } from '../../support/clickhouse.ts';
import { createTopics, produce, testKafka, waitForCommittedToLogEnd } from '../../support/kafka.ts';
import { metricValue, runSql, testPostgresUrl } from '../../support/postgres.ts';
import { uniqueName, waitFor } from '../../support/stack-env.ts';
import { startWorkerProcess } from '../../support/worker-process.ts';

const REFRESH_MS = 500;
const TIMEOUT_MS = 1_000;
const PER_PHASE = 40;

function events(phase: string, teams: readonly number[]): { uuids: string[]; messages: Message[] } {
  const uuids: string[] = [];
  const messages: Message[] = [];
  for (let i = 0; i < PER_PHASE; i++) {
    const uuid = randomUUID();
    uuids.push(uuid);
    messages.push({
      key: `${phase}-${i}`,
      value: JSON.stringify({
        uuid,
        team_id: teams[i % teams.length],
        distinct_id: `user-${i}`,
        event: phase,
        timestamp: new Date().toISOString(),
      }),
    });
  }
  return { uuids, messages };
}

/**
 * PostgreSQL is a side input: while it is stopped the worker keeps ingesting with the
 * settings it read last (the failure counter moves, /readyz stays ready, nothing is lost),
 * and a change made in team_settings reaches new rows at the next refresh.
 */
describe('team settings: PostgreSQL stopped mid-stream, then changed', () => {
  const kafka = testKafka();
  const clickhouse = testClickHouse();
  after(() => clickhouse.close());

  test('cached settings while it is down; a change reaches new rows within the refresh', async () => {
    const dir = process.env['HANZO_TEST_DIR'] ?? '/tmp';
    const name = uniqueName('pg_outage');
    // A PostgreSQL of its own: this test stops it.
    const postgres = await startPostgres({
      dataDir: join(dir, name),
      logFile: join(dir, `${name}.log`),
    });
    const topic = uniqueName('outage');
    const table = uniqueName('outage');
    const group = `${topic}_group`;
    const port = await freePort();
    let worker: ReturnType<typeof startWorkerProcess> | undefined;
    try {
      // The documented minimal table and the default query.
      await runSql(
        postgres.url,
        'CREATE TABLE team_settings (team_id bigint PRIMARY KEY, retention_months integer)',
        'INSERT INTO team_settings VALUES (201, 1)',
      );
      await createTopics(kafka, [
        { topic, partitions: 2 },
        { topic: `${topic}_dlq`, partitions: 1 },
      ]);
      worker = startWorkerProcess(`outage-${table}`, {
        KAFKA_TOPICS: topic,
        KAFKA_DLQ_TOPIC: `${topic}_dlq`,
        KAFKA_GROUP_ID: group,
        CLICKHOUSE_TABLE: table,
        METRICS_PORT: String(port),
        TEAM_SETTINGS_URL: postgres.url,
        TEAM_SETTINGS_REFRESH_MS: String(REFRESH_MS),
        TEAM_SETTINGS_TIMEOUT_MS: String(TIMEOUT_MS),
      });
      const scrape = async (): Promise<string> =>
        (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const metric = async (spec: { name: string }): Promise<number | undefined> =>
        metricValue(await scrape(), spec.name);
      const monthsOf = async (phase: string): Promise<[number, number, number][]> =>
        (
          await queryRows<{ team_id: string; months: number; n: string }>(
            clickhouse,
            `SELECT team_id, retention_months AS months, uniqExact(uuid) AS n
             FROM default.${table} WHERE event = {phase:String}
             GROUP BY team_id, months ORDER BY team_id`,
            { phase },
          )
        ).map((r) => [Number(r.team_id), r.months, Number(r.n)]);
      const half = PER_PHASE / 2;

      // 1. PostgreSQL up: 201 has its override, 202 the default.
      const before = events('before', [201, 202]);
      await produce(kafka, topic, before.messages);
      await waitForCommittedToLogEnd(kafka, group, topic, 120_000);
      assert.deepEqual(await monthsOf('before'), [
        [201, 1, half],
        [202, 12, half],
      ]);
      assert.equal(await metric(METRICS.teamSettingsRefreshFailures), 0);

      // 2. PostgreSQL stopped: reads fail, the counter moves, the cached settings stay.
      await postgres.stop();
      await waitFor(async () => ((await metric(METRICS.teamSettingsRefreshFailures)) ?? 0) >= 2, {
        timeoutMs: 60_000,
        what: 'refresh failures on /metrics',
      });
      const during = events('during', [201, 202]);
      await produce(kafka, topic, during.messages);
      await waitForCommittedToLogEnd(kafka, group, topic, 120_000);
      assert.deepEqual(await monthsOf('during'), [
        [201, 1, half],
        [202, 12, half],
      ]);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      assert.equal(ready.status, 200, await ready.text());
      assert.ok(((await metric(METRICS.teamSettingsAge)) ?? 0) > 0);

      // 3. Back, and changed: 201 now keeps 6 months, 202 gets 3. The next successful read
      //    (the teams gauge shows both) is what new rows are built with.
      await postgres.start();
      const changedAt = Date.now();
      await runSql(
        postgres.url,
        'UPDATE team_settings SET retention_months = 6 WHERE team_id = 201',
        'INSERT INTO team_settings VALUES (202, 3)',
      );
      await waitFor(async () => (await metric(METRICS.teamSettingsTeams)) === 2, {
        timeoutMs: 60_000,
        what: 'the changed settings to be read',
      });
      const tookMs = Date.now() - changedAt;
      console.log(`settings change read by the worker ${tookMs} ms after the commit`);
      const afterChange = events('after', [201, 202]);
      await produce(kafka, topic, afterChange.messages);
      await waitForCommittedToLogEnd(kafka, group, topic, 120_000);
      assert.deepEqual(await monthsOf('after'), [
        [201, 6, half],
        [202, 3, half],
      ]);

      // Nothing lost, nothing twice, across the outage.
      const [landed] = await queryRows<{ rows: string; unique: string }>(
        clickhouse,
        `SELECT count() AS rows, uniqExact(uuid) AS unique FROM default.${table}`,
      );
      assert.deepEqual(
        [Number(landed?.rows), Number(landed?.unique)],
        [3 * PER_PHASE, 3 * PER_PHASE],
      );
    } finally {
      await worker?.stop();
      await postgres.destroy();
    }
  });

  test('a slow PostgreSQL: the read gives up after its timeout', async () => {
    const started = Date.now();
    await assert.rejects(
      readTeamSettings({
        url: testPostgresUrl(),
        query: 'SELECT 1::bigint AS team_id, 2 AS retention_months FROM pg_sleep(5)',
        timeoutMs: 500,
      }),
      TeamSettingsReadError,
    );
    const tookMs = Date.now() - started;
    assert.ok(tookMs < 4_000, `gave up after ${tookMs} ms`);
    // The same query, given the time, answers: PostgreSQL was slow, not broken.
    const answer = await readTeamSettings({
      url: testPostgresUrl(),
      query: 'SELECT 1::bigint AS team_id, 2 AS retention_months FROM pg_sleep(0.1)',
      timeoutMs: 5_000,
    });
    assert.deepEqual([...answer.retention], [['1', 2]]);
  });
});
