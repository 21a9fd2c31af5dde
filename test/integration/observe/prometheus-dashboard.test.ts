import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Kafka } from 'kafkajs';
import { freePort } from '../../stack/process/free-port.ts';
import { landedCounts, testClickHouse } from '../../support/clickhouse.ts';
import { createTopics, testKafka, waitForCommittedToLogEnd } from '../../support/kafka.ts';
import { testStack, uniqueName, waitFor } from '../../support/stack-env.ts';
import { TcpProxy } from '../../support/tcp-proxy.ts';
import { startWorkerProcess, type WorkerProcess } from '../../support/worker-process.ts';
import {
  ALERTS_FILE,
  alertRules,
  dashboardQueries,
  dashboardVariables,
  substitute,
} from './support/dashboard-queries.ts';
import { LoadProducer } from './support/load-producer.ts';
import { PrometheusProcess } from './support/prometheus-process.ts';
import { dataQueries } from './support/promql-data-check.ts';

/**
 * A real Prometheus scrapes two workers of one group under load, with the project's rule
 * file loaded. Every dashboard query and every rule expression is evaluated through the
 * HTTP API and must return data (alerts whose condition is false: see promql-data-check.ts).
 * Then one worker is frozen (SIGSTOP): the lag its partitions build up must show in
 * Prometheus — exported by the other replica, read from the brokers — and fall to 0 once
 * it resumes.
 */
describe('observability: Prometheus, the dashboard and the alert rules against running workers', () => {
  let kafka: Kafka;
  let clickhouse: ClickHouseClient;
  let proxy: TcpProxy;
  let prometheus: PrometheusProcess | undefined;
  const workers: WorkerProcess[] = [];
  before(async () => {
    kafka = testKafka();
    clickhouse = testClickHouse();
    proxy = await TcpProxy.start(testStack().clickhouse.url);
  });
  after(async () => {
    for (const w of workers) await w.stop(20_000);
    await prometheus?.stop();
    await proxy.close();
    await clickhouse.close();
  });

  test('every dashboard and alert expression returns data; lag rises while a worker is stopped and falls to 0 after', async () => {
    const topic = uniqueName('obs');
    const table = uniqueName('obs');
    const group = uniqueName('obsgroup');
    await createTopics(kafka, [
      { topic, partitions: 3 },
      { topic: `${topic}_dlq`, partitions: 1 },
    ]);
    const [portA, portB] = [await freePort(), await freePort()];
    const common = {
      KAFKA_TOPICS: topic,
      KAFKA_DLQ_TOPIC: `${topic}_dlq`,
      KAFKA_GROUP_ID: group,
      CLICKHOUSE_URL: proxy.url,
      CLICKHOUSE_TABLE: table,
      BATCH_MAX_ROWS: '2000',
      INGEST_LAG_REFRESH_MS: '1000',
      INGEST_CLICKHOUSE_PROBE_MS: '1000',
    };
    // A keeps its partitions for 5 min without heartbeats: frozen, it still owns them and
    // its lag grows; B (10 s session) exports that lag meanwhile. The session outlasts every
    // wait between SIGSTOP and SIGCONT below together (failure bounds, not expected times).
    const a = startWorkerProcess(`obs-a-${table}`, {
      ...common,
      METRICS_PORT: String(portA),
      KAFKA_SESSION_TIMEOUT_MS: '300000',
    });
    workers.push(a);
    const b = startWorkerProcess(`obs-b-${table}`, { ...common, METRICS_PORT: String(portB) });
    workers.push(b);
    // The labels the Operator's targets carry: the dashboard selects and names workers by them.
    const namespace = uniqueName('ns');
    const dir = join(process.env['HANZO_TEST_DIR'] ?? '/tmp', `prometheus-${table}`);
    mkdirSync(dir, { recursive: true });
    prometheus = await PrometheusProcess.start({
      dir,
      targets: [
        { address: `127.0.0.1:${portA}`, namespace, pod: `obs-a-${table}` },
        { address: `127.0.0.1:${portB}`, namespace, pod: `obs-b-${table}` },
      ],
      ruleFiles: [ALERTS_FILE],
    });
    const prom = prometheus;
    const g = `group="${group}"`;
    const load = new LoadProducer(kafka, topic, 1_500);
    load.start();
    try {
      // Both in the group with its 3 partitions shared before the outage: "scraped and
      // inserting" alone can hold while the second member is still joining, and a rebalance
      // started during the outage, when nothing can land or be committed, is another test.
      await waitFor(
        async () =>
          (await prom.targets()).filter((t) => t.health === 'up').length === 2 &&
          (await prom.value(`sum(rate(hanzo_ingest_rows_inserted_total{${g}}[30s]))`)) > 0 &&
          (await prom.value(`count(hanzo_ingest_assigned_partitions{${g}} > 0)`)) === 2 &&
          (await prom.value(`sum(hanzo_ingest_assigned_partitions{${g}})`)) === 3,
        {
          timeoutMs: 120_000,
          intervalMs: 1_000,
          what: 'both workers scraped, inserting and sharing the 3 partitions',
        },
      );

      // A short ClickHouse outage, so that retries, failed attempts and paused partitions
      // have series too.
      await proxy.down();
      await waitFor(
        async () => (await prom.value(`sum(hanzo_ingest_insert_retries_total{${g}})`)) > 0,
        {
          timeoutMs: 120_000,
          intervalMs: 500,
          what: 'insert retries recorded while ClickHouse is down',
        },
      );
      await proxy.up();
      await waitFor(
        async () =>
          (await prom.value(`min(hanzo_ingest_clickhouse_up{${g}})`)) === 1 &&
          (await prom.value(`sum(rate(hanzo_ingest_rows_inserted_total{${g}}[5s]))`)) > 0,
        { timeoutMs: 90_000, intervalMs: 1_000, what: 'inserts flowing again after the outage' },
      );

      // Every dashboard query, with the dashboard's variables set to this group and topic.
      const vars = { namespace, group, topic, rateInterval: '30s' };
      const panels = dashboardQueries();
      assert.ok(panels.length >= 30, `the dashboard has ${panels.length} queries`);
      await waitFor(
        async () => {
          const empty: string[] = [];
          for (const q of panels) {
            const expr = substitute(q.expr, vars);
            if ((await prom.query(expr)).length === 0) empty.push(`${q.name}: ${expr}`);
          }
          if (empty.length > 0) throw new Error(`no data for:\n${empty.join('\n')}`);
          return true;
        },
        { timeoutMs: 120_000, intervalMs: 2_000, what: 'every dashboard query to return data' },
      );
      for (const v of dashboardVariables()) {
        const m = v.expr.match(/^label_values\((.+),\s*(\w+)\)$/);
        assert.ok(m !== null, `variable ${v.name} is a label_values() query`);
        const values = await prom.labelValues(m[2]!, substitute(m[1]!, vars));
        const expected = { namespace, group, topic }[v.name];
        assert.ok(
          expected !== undefined && values.includes(expected),
          `${v.name}: ${values.join(',')}`,
        );
      }
      // Legends by pod: per-worker panels give one series per pod, named by the pod label.
      const perPod = await prom.query(
        substitute(
          panels.find((q) => q.name.startsWith('Assigned partitions per worker'))?.expr ?? '',
          vars,
        ),
      );
      assert.deepEqual(perPod.map((s) => s.metric['pod']).sort(), [
        `obs-a-${table}`,
        `obs-b-${table}`,
      ]);

      // Every rule: Prometheus evaluates them (health ok), and each returns data, or each
      // part of its condition does.
      const rules = alertRules();
      assert.ok(rules.filter((r) => r.kind === 'alert').length >= 12);
      const evaluated = await prom.rules();
      for (const rule of rules) {
        const state = evaluated.find((r) => r.name === rule.name);
        assert.equal(state?.health, 'ok', `${rule.name}: ${state?.lastError ?? 'not loaded'}`);
      }
      const missing: string[] = [];
      for (const rule of rules) {
        if ((await prom.query(rule.expr)).length > 0) continue;
        if (rule.kind === 'record') {
          missing.push(`${rule.name}: ${rule.expr}`);
          continue;
        }
        for (const part of dataQueries(rule.expr)) {
          if ((await prom.query(part)).length === 0) missing.push(`${rule.name}: ${part}`);
        }
      }
      assert.deepEqual(missing, [], 'rule expressions without data');

      // What the numbers say: lag deduplicated across replicas, the events we sent. Each
      // series comes from its own scrape of one replica (1 s apart, a join may still be
      // settling): the group converges to these values, so wait for them (failure bound).
      const shape = async (): Promise<Record<string, number>> => ({
        'lag series (3 partitions × 2 replicas)': await prom.value(
          `count(hanzo_ingest_consumer_lag{${g}})`,
        ),
        'lag series after the recording rule (one per partition)': await prom.value(
          `count(hanzo_ingest:consumer_lag:max{${g}})`,
        ),
        'assigned partitions': await prom.value(`sum(hanzo_ingest_assigned_partitions{${g}})`),
        'group members': await prom.value(`max(hanzo_ingest_consumer_group_members{${g}})`),
      });
      const expectedShape = {
        'lag series (3 partitions × 2 replicas)': 6,
        'lag series after the recording rule (one per partition)': 3,
        'assigned partitions': 3,
        'group members': 2,
      };
      let lastShape: Record<string, number> = {};
      const settledShape = await waitFor(
        async () => {
          lastShape = await shape();
          return JSON.stringify(lastShape) === JSON.stringify(expectedShape) ? lastShape : false;
        },
        {
          timeoutMs: 60_000,
          intervalMs: 1_000,
          what: `series and group shape ${JSON.stringify(expectedShape)}`,
        },
      ).catch(() => lastShape);
      assert.deepEqual(settledShape, expectedShape);
      const counted = async (expr: string): Promise<number> => prom.value(`sum(${expr})`);
      assert.ok((await counted(`hanzo_ingest_dead_letters_total{${g},reason="invalid_json"}`)) > 0);
      assert.ok((await counted(`hanzo_ingest_insert_retries_total{${g}}`)) > 0);
      assert.ok(
        (await counted(`hanzo_ingest_insert_duration_seconds_count{${g},outcome="failure"}`)) > 0,
      );
      assert.ok(
        (await counted(
          `hanzo_ingest_enrich_unknown_models_total{${g},model="acme-unpriced-model-7"}`,
        )) > 0,
      );
      assert.ok(
        (await counted(`hanzo_ingest_enrich_llm_content_scrubbed_total{${g},key="prompt"}`)) > 0,
      );
      assert.ok((await counted(`hanzo_ingest_enrich_geo_misses_total{${g},reason="private"}`)) > 0);
      assert.ok((await counted(`hanzo_ingest_enrich_user_agents_unparsed_total{${g}}`)) > 0);
      // Part counts are read every sixth probe: the first reads may predate the first insert.
      await waitFor(
        async () =>
          (await counted(`hanzo_ingest_clickhouse_active_parts{${g},table="${table}"}`)) > 0,
        { timeoutMs: 60_000, intervalMs: 1_000, what: 'active parts of the table above 0' },
      );

      // Freeze A: its partitions stop moving. Their lag, read from the brokers by B, rises.
      // (First let the backlog of the outage drain, so what rises is A's share alone.)
      const lag = `sum(hanzo_ingest:consumer_lag:max{${g}})`;
      const worstPartition = `max(hanzo_ingest:consumer_lag:max{${g}})`;
      await waitFor(async () => (await prom.value(lag)) < 3_000, {
        timeoutMs: 90_000,
        intervalMs: 1_000,
        what: 'the backlog of the outage to drain',
      });
      a.signal('SIGSTOP');
      await waitFor(async () => (await prom.value(`up{instance="127.0.0.1:${portA}"}`)) === 0, {
        timeoutMs: 60_000,
        intervalMs: 500,
        what: 'worker A to stop answering scrapes',
      });
      const first = await waitFor(
        async () => {
          const v = await prom.value(worstPartition);
          return v > 3_000 ? v : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 500, what: "lag of A's partitions above 3,000" },
      );
      // The producer keeps writing and nobody reads A's partitions: their lag keeps rising
      // (how fast depends on the machine, so wait for it rather than a fixed pause).
      const later = await waitFor(
        async () => {
          const v = await prom.value(worstPartition);
          return v > first + 1_000 ? v : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 500, what: `lag to keep rising past ${first + 1_000}` },
      );
      assert.ok(later > first + 1_000, `lag keeps rising while A is stopped: ${first} → ${later}`);
      assert.equal(
        await prom.value(`max(hanzo_ingest_consumer_group_members{${g}})`),
        2,
        'A still owns its partitions',
      );

      // Resume A and stop producing: the lag falls to 0, in Prometheus and on the brokers.
      a.signal('SIGCONT');
      const produced = await load.stop();
      await waitFor(
        async () =>
          (await prom.value(lag)) === 0 &&
          (await prom.value(`max(hanzo_ingest_consumer_lag{${g}})`)) === 0,
        {
          timeoutMs: 120_000,
          intervalMs: 1_000,
          what: 'lag back to 0 after A resumed',
        },
      );
      await waitForCommittedToLogEnd(kafka, group, topic, 60_000);

      // And the data: every good event landed once.
      const poison = Math.floor((produced - 8) / 200) + 1;
      assert.deepEqual(await landedCounts(clickhouse, table), {
        rows: produced - poison,
        unique: produced - poison,
        duplicates: 0,
      });
    } finally {
      await load.stop();
      for (const w of workers) {
        w.signal('SIGCONT');
        w.kill('SIGTERM');
      }
      for (const w of workers) assert.equal(await w.exited, 0, w.log().slice(-3_000));
    }
  });
});
