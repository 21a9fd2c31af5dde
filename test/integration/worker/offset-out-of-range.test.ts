import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { assertLandedExactlyOnce, landedCounts, testClickHouse } from '../../support/clickhouse.ts';
import { jsonEvents } from '../../support/events.ts';
import {
  committedOffsets,
  deleteRecordsBefore,
  produce,
  testKafka,
  waitForCommittedToLogEnd,
} from '../../support/kafka.ts';
import { waitFor } from '../../support/stack-env.ts';
import { startWorkerProcess, type WorkerProcess } from '../../support/worker-process.ts';
import { createWorkerTopics } from '../../support/worker-topics.ts';
import { freePort } from '../../stack/process/free-port.ts';

describe('worker: committed offsets out of range', () => {
  const kafka = testKafka();
  const clickhouse = testClickHouse();
  after(() => clickhouse.close());

  async function setUp(name: string) {
    const topics = await createWorkerTopics(kafka, name, 1);
    return { ...topics, env: { ...topics.env, BATCH_MAX_ROWS: '100' } };
  }

  /** Runs a worker until the group committed the log end, then stops it (exit 0). */
  async function ingestToLogEnd(
    name: string,
    env: Record<string, string>,
    topic: string,
    group: string,
  ): Promise<WorkerProcess> {
    const worker = startWorkerProcess(name, env);
    try {
      await waitForCommittedToLogEnd(kafka, group, topic, 90_000);
    } finally {
      worker.kill('SIGTERM');
      assert.equal(await worker.exited, 0, worker.log().slice(-3000));
    }
    return worker;
  }

  async function resetsMetric(port: number): Promise<string[]> {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    return text.split('\n').filter((l) => l.startsWith('hanzo_ingest_offset_resets_total{'));
  }

  test('a committed offset past the log end: no crash, no unbounded buffering, new messages land', async () => {
    const { topic, table, group, env } = await setUp('pastend');
    const { messages, events } = jsonEvents(200, 1, 31);
    await produce(kafka, topic, messages.slice(0, 100));
    await ingestToLogEnd(`pastend-a-${table}`, env, topic, group);

    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.setOffsets({
        groupId: group,
        topic,
        partitions: [{ partition: 0, offset: '150' }],
      });
    } finally {
      await admin.disconnect();
    }
    assert.equal((await committedOffsets(kafka, group, topic)).get(0), 150);

    const port = await freePort();
    const worker = startWorkerProcess(`pastend-b-${table}`, {
      ...env,
      KAFKA_OFFSET_OUT_OF_RANGE: 'latest',
      METRICS_PORT: String(port),
    });
    try {
      // The worker's own count of the reset it decided at join, not a log line.
      await waitFor(
        async () => (await resetsMetric(port).catch(() => [])).some((l) => !l.endsWith(' 0')),
        {
          timeoutMs: 60_000,
          what: 'the reset to be decided at join',
        },
      );
      await produce(kafka, topic, messages.slice(100));
      await waitForCommittedToLogEnd(kafka, group, topic, 60_000);
      assert.deepEqual(await resetsMetric(port), [
        `hanzo_ingest_offset_resets_total{topic="${topic}",reason="beyond_log_end",skipped_data="true",group="${group}"} 1`,
      ]);
    } finally {
      worker.kill('SIGTERM');
      assert.equal(await worker.exited, 0, worker.log().slice(-3000));
    }
    assert.doesNotMatch(worker.log(), /RangeError|batch delivery failed/);
    assert.match(worker.log(), /"level":"error"[^\n]*messages in the log skipped/);
    await assertLandedExactlyOnce(
      clickhouse,
      table,
      events.map((e) => e.uuid),
    );
  });

  test('DeleteRecords past the committed offset: the deleted messages are an error and a metric', async () => {
    const { topic, table, group, env } = await setUp('deleted');
    const { messages, events } = jsonEvents(200, 1, 32);
    await produce(kafka, topic, messages.slice(0, 100));
    await ingestToLogEnd(`deleted-a-${table}`, env, topic, group);
    await produce(kafka, topic, messages.slice(100));
    await deleteRecordsBefore(kafka, topic, 0, 150);

    const port = await freePort();
    const worker = startWorkerProcess(`deleted-b-${table}`, { ...env, METRICS_PORT: String(port) });
    try {
      await waitForCommittedToLogEnd(kafka, group, topic, 60_000);
      assert.deepEqual(await resetsMetric(port), [
        `hanzo_ingest_offset_resets_total{topic="${topic}",reason="below_log_start",skipped_data="true",group="${group}"} 1`,
      ]);
    } finally {
      worker.kill('SIGTERM');
      assert.equal(await worker.exited, 0, worker.log().slice(-3000));
    }
    assert.match(
      worker.log(),
      /"level":"error"[^\n]*"skipped":"50"[^\n]*messages deleted before they were read/,
    );
    // 100-149 were deleted from Kafka before anyone read them; everything else, once.
    await assertLandedExactlyOnce(clickhouse, table, [
      ...events.slice(0, 100).map((e) => e.uuid),
      ...events.slice(150).map((e) => e.uuid),
    ]);
    assert.equal((await landedCounts(clickhouse, table)).rows, 150);
  });
});
