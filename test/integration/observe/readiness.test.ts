import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Kafka } from 'kafkajs';
import { freePort } from '../../stack/process/free-port.ts';
import { assertLandedExactlyOnce, testClickHouse } from '../../support/clickhouse.ts';
import { jsonEvents } from '../../support/events.ts';
import { createTopics, produce, testKafka, waitForCommittedToLogEnd } from '../../support/kafka.ts';
import { testStack, uniqueName, waitFor } from '../../support/stack-env.ts';
import { TcpProxy } from '../../support/tcp-proxy.ts';
import { startWorkerProcess } from '../../support/worker-process.ts';
import { workerMetric } from '../../support/worker-metrics.ts';

interface Verdict {
  status: 'ok' | 'unavailable';
  checks: Record<string, { ok: boolean; detail: string }>;
}

async function get(port: number, path: string): Promise<{ status: number; body: Verdict }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, body: (await response.json()) as Verdict };
}

describe('observability: /readyz follows ClickHouse, /healthz follows the process', () => {
  let kafka: Kafka;
  let clickhouse: ClickHouseClient;
  let proxy: TcpProxy;
  before(async () => {
    kafka = testKafka();
    clickhouse = testClickHouse();
    proxy = await TcpProxy.start(testStack().clickhouse.url);
  });
  after(async () => {
    await proxy.close();
    await clickhouse.close();
  });

  test('unready while ClickHouse is stopped, ready again after; alive throughout', async () => {
    const topic = uniqueName('ready');
    const table = uniqueName('ready');
    const group = uniqueName('group');
    await createTopics(kafka, [
      { topic, partitions: 2 },
      { topic: `${topic}_dlq`, partitions: 1 },
    ]);
    const port = await freePort();
    const worker = startWorkerProcess(`ready-${table}`, {
      KAFKA_TOPICS: topic,
      KAFKA_DLQ_TOPIC: `${topic}_dlq`,
      KAFKA_GROUP_ID: group,
      CLICKHOUSE_URL: proxy.url,
      CLICKHOUSE_TABLE: table,
      METRICS_PORT: String(port),
      INGEST_CLICKHOUSE_PROBE_MS: '500',
      INGEST_LAG_REFRESH_MS: '1000',
    });
    const { messages, events } = jsonEvents(4_000, 2, 5);
    try {
      const ready = await waitFor(
        async () => {
          const r = await get(port, '/readyz');
          return r.status === 200 ? r.body : undefined;
        },
        { timeoutMs: 60_000, what: '/readyz to say ready' },
      );
      assert.equal(ready.status, 'ok');
      assert.deepEqual(Object.keys(ready.checks).sort(), [
        'clickhouse',
        'consumer',
        'dlq',
        'kafka',
        'worker',
      ]);
      assert.match(ready.checks['consumer']!.detail, /assigned 2 partition/);
      await produce(kafka, topic, messages.slice(0, 2_000));

      await proxy.down();
      const unready = await waitFor(
        async () => {
          const r = await get(port, '/readyz');
          return r.status === 503 ? r.body : undefined;
        },
        {
          timeoutMs: 60_000,
          intervalMs: 200,
          what: '/readyz to turn unready with ClickHouse down',
        },
      );
      assert.equal(unready.status, 'unavailable');
      assert.equal(unready.checks['clickhouse']!.ok, false);
      assert.equal(unready.checks['kafka']!.ok, true, 'Kafka is fine meanwhile');
      const health = await get(port, '/healthz');
      assert.equal(health.status, 200, 'a ClickHouse outage is no reason to restart the worker');
      assert.equal(health.body.checks['eventLoop']!.ok, true);
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      assert.match(metrics, /^hanzo_ingest_ready\{[^}]*\} 0$/m);
      assert.match(metrics, /^hanzo_ingest_clickhouse_up\{[^}]*\} 0$/m);
      // Not a pause: the worker has tried to land the new messages and failed at least once
      // (its own count of failed attempts), and is still unready.
      const retriesBefore = await workerMetric(port, 'hanzo_ingest_insert_retries_total');
      await produce(kafka, topic, messages.slice(2_000));
      await waitFor(
        async () => (await workerMetric(port, 'hanzo_ingest_insert_retries_total')) > retriesBefore,
        { timeoutMs: 60_000, what: 'an insert attempt to fail while ClickHouse is down' },
      );
      assert.equal(
        (await get(port, '/readyz')).status,
        503,
        'stays unready while ClickHouse is down',
      );

      await proxy.up();
      const back = await waitFor(
        async () => {
          const r = await get(port, '/readyz');
          return r.status === 200 ? r.body : undefined;
        },
        {
          timeoutMs: 60_000,
          intervalMs: 200,
          what: '/readyz ready again after ClickHouse returned',
        },
      );
      assert.equal(back.checks['clickhouse']!.ok, true);
      await waitForCommittedToLogEnd(kafka, group, topic, 60_000);
      await assertLandedExactlyOnce(
        clickhouse,
        table,
        events.map((e) => e.uuid),
      );
    } finally {
      worker.kill('SIGTERM');
      assert.equal(await worker.exited, 0, worker.log().slice(-3_000));
    }
  });
});
