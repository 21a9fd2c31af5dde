import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { Kafka, Message } from 'kafkajs';
import { DLQ_HEADERS } from '../../../src/dlq/dead-letter-headers.ts';
import { freePort } from '../../stack/process/free-port.ts';
import { assertLandedExactlyOnce, queryRows, testClickHouse } from '../../support/clickhouse.ts';
import { jsonEvents } from '../../support/events.ts';
import {
  committedOffsets,
  createTopics,
  headerText,
  logEndOffsets,
  produce,
  readTopic,
  testKafka,
  waitForCommittedToLogEnd,
} from '../../support/kafka.ts';
import { uniqueName, waitFor } from '../../support/stack-env.ts';
import { startWorkerProcess } from '../../support/worker-process.ts';

interface Verdict {
  status: 'ok' | 'unavailable';
  checks: Record<string, { ok: boolean; detail: string }>;
}

async function readyz(port: number): Promise<{ status: number; body: Verdict }> {
  const response = await fetch(`http://127.0.0.1:${port}/readyz`);
  return { status: response.status, body: (await response.json()) as Verdict };
}

async function scrape(port: number): Promise<string> {
  return (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
}

/** Sum of a counter's series in a scrape (any labels). */
function counterSum(metrics: string, name: string): number {
  let sum = 0;
  for (const [, value] of metrics.matchAll(new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'gm')))
    sum += Number(value);
  return sum;
}

async function deleteTopic(kafka: Kafka, topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [topic] });
    await waitFor(async () => !(await admin.listTopics()).includes(topic), {
      timeoutMs: 30_000,
      what: `${topic} to be deleted`,
    });
  } finally {
    await admin.disconnect();
  }
}

describe('an unwritable DLQ shows at once and blocks only the partitions that need it', () => {
  const kafka = testKafka();
  const clickhouse = testClickHouse();
  after(() => clickhouse.close());

  test('DLQ topic deleted mid-run: unready, metric moves, other partitions land; re-created: everything arrives', async () => {
    const topic = uniqueName('dlqgone');
    const dlq = `${topic}_dlq`;
    const table = uniqueName('dlqgone');
    const group = uniqueName('group');
    await createTopics(kafka, [
      { topic, partitions: 2 },
      { topic: dlq, partitions: 1 },
    ]);
    const { messages: good, events } = jsonEvents(800, 1, 91);
    const on = (partition: number, ms: Message[]): Message[] =>
      ms.map((m) => ({ ...m, partition }));
    await produce(kafka, topic, [...on(0, good.slice(0, 50)), ...on(1, good.slice(50, 100))]);

    const port = await freePort();
    const worker = startWorkerProcess(`dlqgone-${table}`, {
      KAFKA_TOPICS: topic,
      KAFKA_DLQ_TOPIC: dlq,
      KAFKA_GROUP_ID: group,
      CLICKHOUSE_TABLE: table,
      METRICS_PORT: String(port),
      INGEST_LAG_REFRESH_MS: '1000',
      INGEST_CLICKHOUSE_PROBE_MS: '500',
    });
    try {
      await waitForCommittedToLogEnd(kafka, group, topic, 60_000);
      assert.equal((await readyz(port)).body.checks['dlq']?.ok, true);

      await deleteTopic(kafka, dlq);
      const bad: Message[] = Array.from({ length: 40 }, (_, i) => ({
        key: `bad-${i}`,
        value: `{"broken": ${i}`,
        partition: 0,
      }));
      await produce(kafka, topic, [...bad, ...on(0, good.slice(100, 200))]);
      await produce(kafka, topic, on(1, good.slice(200, 800)));

      const unready = await waitFor(
        async () => {
          const r = await readyz(port);
          return r.status === 503 && r.body.checks['dlq']?.ok === false ? r.body : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 250, what: '/readyz to fail on the DLQ' },
      );
      assert.match(unready.checks['dlq']!.detail, new RegExp(dlq));
      const metrics = await scrape(port);
      assert.match(metrics, /^hanzo_ingest_dlq_writable\{[^}]*\} 0$/m);
      assert.ok(counterSum(metrics, 'hanzo_ingest_dlq_write_failures_total') >= 1);

      // Partition 1 has no dead letters: it keeps landing and committing meanwhile.
      const ends = await logEndOffsets(kafka, topic);
      await waitFor(
        async () => (await committedOffsets(kafka, group, topic)).get(1) === ends.get(1),
        { timeoutMs: 60_000, what: 'partition 1 committed to its end while the DLQ is gone' },
      );
      const p1 = good
        .slice(200, 800)
        .map((m) => (JSON.parse(String(m.value)) as { uuid: string }).uuid);
      const [landed] = await queryRows<{ n: string }>(
        clickhouse,
        `SELECT count() AS n FROM ${table} WHERE uuid IN {ids:Array(UUID)}`,
        { ids: p1 },
      );
      assert.equal(Number(landed?.n), p1.length);
      // Partition 0 waits at its dead letters: not committed past them, nothing dropped.
      const p0 = (await committedOffsets(kafka, group, topic)).get(0) ?? 0;
      assert.ok(p0 <= 50, `partition 0 committed ${p0}, not past its dead letters at 50`);
      assert.equal((await readyz(port)).status, 503, 'still unready while the DLQ is gone');

      await createTopics(kafka, [{ topic: dlq, partitions: 1 }]);
      await waitForCommittedToLogEnd(kafka, group, topic, 90_000);
      await waitFor(async () => (await readyz(port)).status === 200, {
        timeoutMs: 60_000,
        what: '/readyz ready again',
      });
      assert.match(await scrape(port), /^hanzo_ingest_dlq_writable\{[^}]*\} 1$/m);
      assert.equal(worker.running, true);
    } finally {
      worker.kill('SIGTERM');
      assert.equal(await worker.exited, 0, worker.log().slice(-3_000));
    }

    await assertLandedExactlyOnce(
      clickhouse,
      table,
      events.map((e) => e.uuid),
    );
    const dead = await readTopic(kafka, dlq);
    const offsets = new Set(
      dead.map((d) => {
        assert.equal(headerText(d.headers, DLQ_HEADERS.errorClass), 'invalid_json');
        return headerText(d.headers, DLQ_HEADERS.sourceOffset);
      }),
    );
    assert.deepEqual(
      [...offsets].map(Number).sort((a, b) => a - b),
      Array.from({ length: 40 }, (_, i) => 50 + i),
      'every dead letter written after the DLQ came back',
    );
  });
});
