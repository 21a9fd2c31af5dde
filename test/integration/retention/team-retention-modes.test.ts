import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
import type { Message } from 'kafkajs';
import { migrateUp } from '../../../src/migrate/run-migrations.ts';
import { kafkaEngineObjects } from '../../../src/kafka-engine/object-names.ts';
import { dropPipelineWhenIdle } from '../../fixtures/kafka-engine/drop-pipeline.ts';
import { queryRows, testClickHouse } from '../../support/clickhouse.ts';
import { createTopics, produce, testKafka, waitForCommittedToLogEnd } from '../../support/kafka.ts';
import { runSql, testPostgresUrl } from '../../support/postgres.ts';
import { uniqueName } from '../../support/stack-env.ts';
import { startWorkerProcess } from '../../support/worker-process.ts';

const DAY = 86_400_000;
const PER_CELL = 20;

/**
 * Team 101 keeps 1 month (override), team 102 has no override (12 months), team 103 keeps
 * 24 months. Each gets events at two ages: one inside its retention, one past it, with
 * weeks of margin on both sides of the boundary.
 */
const CELLS = [
  { team: 101, months: 1, ageDays: 10, expired: false },
  { team: 101, months: 1, ageDays: 45, expired: true },
  { team: 102, months: 12, ageDays: 45, expired: false },
  { team: 102, months: 12, ageDays: 400, expired: true },
  { team: 103, months: 24, ageDays: 400, expired: false },
  { team: 103, months: 24, ageDays: 800, expired: true },
] as const;

interface Sent {
  readonly uuid: string;
  readonly team: number;
  readonly expired: boolean;
}

/**
 * Per-team retention end to end, in both modes on the same messages: the worker (its cache
 * of team_settings) and the Kafka engine (the dictionary its runner keeps in sync) read the
 * same PostgreSQL table; the rows carry the team's retention_months, and ClickHouse's TTL,
 * applied by OPTIMIZE … FINAL, removes exactly the rows whose retention has passed.
 */
describe('per-team retention from PostgreSQL, worker and kafka-engine modes', () => {
  const kafka = testKafka();
  const clickhouse = testClickHouse();
  after(() => clickhouse.close());

  test('override and default land on the rows; TTL removes exactly the expired ones', async () => {
    const pgUrl = testPostgresUrl();
    const settings = uniqueName('team_settings');
    await runSql(
      pgUrl,
      `CREATE TABLE ${settings} (team_id bigint PRIMARY KEY, retention_months integer)`,
      `INSERT INTO ${settings} VALUES (101, 1), (103, 24)`,
    );
    const topic = uniqueName('retention');
    const workerTable = uniqueName('retention_worker');
    const engineTable = uniqueName('retention_engine');
    await createTopics(kafka, [
      { topic, partitions: 2 },
      { topic: `${topic}_dlq`, partitions: 1 },
    ]);
    // Tables first, TTL merges held, so that nothing expires before the rows are counted.
    for (const eventsTable of [workerTable, engineTable]) {
      await migrateUp(clickhouse, { database: 'default', eventsTable });
      await clickhouse.command({ query: `SYSTEM STOP TTL MERGES default.${eventsTable}` });
    }

    const now = Date.now();
    const sent: Sent[] = [];
    const messages: Message[] = [];
    for (const cell of CELLS) {
      for (let i = 0; i < PER_CELL; i++) {
        const uuid = randomUUID();
        sent.push({ uuid, team: cell.team, expired: cell.expired });
        messages.push({
          key: `${cell.team}-${i}`,
          value: JSON.stringify({
            uuid,
            team_id: cell.team,
            distinct_id: `user-${i}`,
            event: '$pageview',
            timestamp: new Date(now - cell.ageDays * DAY - i * 60_000).toISOString(),
            properties: { i },
          }),
        });
      }
    }
    await produce(kafka, topic, messages);

    const settingsEnv = {
      TEAM_SETTINGS_URL: pgUrl,
      TEAM_SETTINGS_QUERY: `SELECT team_id, retention_months FROM ${settings}`,
    };
    // Retention is under test, not geo: without this the Kafka-engine mode loads the bundled
    // geo database into ClickHouse (13.7 M networks, ~100 s on a busy 2-core box) before it
    // consumes, and the wait below measured that load instead of retention.
    const base = {
      KAFKA_TOPICS: topic,
      KAFKA_DLQ_TOPIC: `${topic}_dlq`,
      ENRICH_GEO_ENABLED: 'false',
      ...settingsEnv,
    };
    const worker = startWorkerProcess(`retention-worker-${workerTable}`, {
      ...base,
      KAFKA_GROUP_ID: `${topic}_worker`,
      CLICKHOUSE_TABLE: workerTable,
    });
    const engine = startWorkerProcess(`retention-engine-${engineTable}`, {
      ...base,
      INGEST_MODE: 'kafka-engine',
      KAFKA_GROUP_ID: `${topic}_engine`,
      CLICKHOUSE_TABLE: engineTable,
      KAFKA_ENGINE_NUM_CONSUMERS: '1',
      KAFKA_ENGINE_FLUSH_INTERVAL_MS: '500',
    });
    const objects = kafkaEngineObjects({ database: 'default', eventsTable: engineTable });
    try {
      await waitForCommittedToLogEnd(kafka, `${topic}_worker`, topic, 180_000);
      await waitForCommittedToLogEnd(kafka, `${topic}_engine`, topic, 180_000);

      for (const table of [workerTable, engineTable]) {
        // Every event landed once, with its team's retention (12 where team_settings has none).
        const perTeam = await queryRows<{ team_id: string; months: number; rows: string }>(
          clickhouse,
          `SELECT team_id, retention_months AS months, uniqExact(uuid) AS rows, count() AS n
           FROM default.${table} GROUP BY team_id, months ORDER BY team_id, months`,
        );
        assert.deepEqual(
          perTeam.map((r) => [Number(r.team_id), r.months, Number(r.rows)]),
          [
            [101, 1, 2 * PER_CELL],
            [102, 12, 2 * PER_CELL],
            [103, 24, 2 * PER_CELL],
          ],
          table,
        );
        const [total] = await queryRows<{ n: string }>(
          clickhouse,
          `SELECT count() AS n FROM default.${table}`,
        );
        assert.equal(Number(total?.n), sent.length, `${table}: no duplicates`);
      }
      // Both modes landed the same (uuid, retention_months) pairs.
      const pairs = async (table: string): Promise<string[]> =>
        (
          await queryRows<{ p: string }>(
            clickhouse,
            `SELECT concat(toString(uuid), ':', toString(retention_months)) AS p
             FROM default.${table} ORDER BY p`,
          )
        ).map((r) => r.p);
      assert.deepEqual(await pairs(engineTable), await pairs(workerTable));

      // The TTL: OPTIMIZE … FINAL applies it; exactly the rows past their retention go.
      const kept = sent
        .filter((s) => !s.expired)
        .map((s) => s.uuid)
        .sort();
      for (const table of [workerTable, engineTable]) {
        await clickhouse.command({ query: `SYSTEM START TTL MERGES default.${table}` });
        await clickhouse.command({ query: `OPTIMIZE TABLE default.${table} FINAL` });
        const left = await queryRows<{ uuid: string }>(
          clickhouse,
          `SELECT toString(uuid) AS uuid FROM default.${table} ORDER BY uuid`,
        );
        assert.deepEqual(
          left.map((r) => r.uuid),
          kept,
          `${table}: ${left.length} rows left, ${kept.length} expected`,
        );
      }
    } finally {
      await dropPipelineWhenIdle(clickhouse, objects);
      await Promise.all([worker.stop(), engine.stop()]);
      await runSql(pgUrl, `DROP TABLE IF EXISTS ${settings}`);
    }
  });
});
