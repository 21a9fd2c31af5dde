import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Kafka } from 'kafkajs';
import { landedCounts, testClickHouse } from '../../support/clickhouse.ts';
import { jsonEvents } from '../../support/events.ts';
import {
  committedOffsets,
  createTopics,
  produce,
  testKafka,
  waitForCommittedToLogEnd,
} from '../../support/kafka.ts';
import { testStack, uniqueName, waitFor } from '../../support/stack-env.ts';
import { TcpProxy } from '../../support/tcp-proxy.ts';
import { startWorkerProcess } from '../../support/worker-process.ts';
import { workerMetric } from '../../support/worker-metrics.ts';
import { freePort } from '../../stack/process/free-port.ts';

const OUTAGE_MS = 30_000;

describe('worker: ClickHouse unavailable for 30 s mid-stream', () => {
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

  test('partitions pause, nothing is committed past the failure, everything lands once after recovery', async () => {
    const topic = uniqueName('outage');
    const table = uniqueName('outage');
    const group = uniqueName('group');
    await createTopics(kafka, [
      { topic, partitions: 3 },
      { topic: `${topic}_dlq`, partitions: 1 },
    ]);
    const { messages } = jsonEvents(20_000, 3, 7);
    const port = await freePort();
    const retries = (): Promise<number> => workerMetric(port, 'hanzo_ingest_insert_retries_total');
    const worker = startWorkerProcess(`outage-${table}`, {
      METRICS_PORT: String(port),
      KAFKA_TOPICS: topic,
      KAFKA_DLQ_TOPIC: `${topic}_dlq`,
      KAFKA_GROUP_ID: group,
      CLICKHOUSE_URL: proxy.url,
      CLICKHOUSE_TABLE: table,
      BATCH_MAX_ROWS: '2000',
    });
    try {
      await produce(kafka, topic, messages.slice(0, 10_000));
      await waitFor(
        async () =>
          (await landedCounts(clickhouse, table).catch(() => ({ rows: 0 }))).rows === 10_000,
        {
          timeoutMs: 60_000,
          what: 'the first half to land',
        },
      );
      await waitFor(async () => sumOf(await committedOffsets(kafka, group, topic)) === 10_000, {
        timeoutMs: 60_000,
        what: 'first half committed',
      });

      await proxy.down();
      const retriesBefore = await retries();
      await produce(kafka, topic, messages.slice(10_000));
      const downSince = Date.now();
      while (Date.now() - downSince < OUTAGE_MS) {
        await new Promise((r) => setTimeout(r, 2_000));
        const committed = await committedOffsets(kafka, group, topic);
        assert.equal(sumOf(committed), 10_000, 'no offset may be committed while nothing can land');
        assert.equal((await landedCounts(clickhouse, table)).rows, 10_000);
        assert.equal(worker.running, true, 'the worker keeps running through the outage');
      }
      // The worker saw the outage (its own count of failed attempts), whatever the timing.
      await waitFor(async () => (await retries()) > retriesBefore, {
        timeoutMs: 60_000,
        what: 'failed insert attempts counted while ClickHouse is down',
      });
      assert.equal(sumOf(await committedOffsets(kafka, group, topic)), 10_000);
      await proxy.up();

      await waitFor(async () => (await landedCounts(clickhouse, table)).rows >= 20_000, {
        timeoutMs: 90_000,
        what: 'all rows after recovery',
      });
      await waitForCommittedToLogEnd(kafka, group, topic, 60_000);
    } finally {
      worker.kill('SIGTERM');
      assert.equal(await worker.exited, 0, worker.log().slice(-3000));
    }
    assert.deepEqual(await landedCounts(clickhouse, table), {
      rows: 20_000,
      unique: 20_000,
      duplicates: 0,
    });
  });
});

function sumOf(offsets: Map<number, number>): number {
  let total = 0;
  for (const v of offsets.values()) total += Math.max(0, v);
  return total;
}
