import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { Message } from 'kafkajs';
import { DLQ_HEADERS } from '../../../src/dlq/dead-letter-headers.ts';
import { assertLandedExactlyOnce, queryRows, testClickHouse } from '../../support/clickhouse.ts';
import { jsonEvents } from '../../support/events.ts';
import { hostileCases } from '../../support/hostile.ts';
import {
  committedOffsets,
  createTopics,
  headerText,
  logEndOffsets,
  produce,
  readDeadLetters,
  readTopic,
  testKafka,
  waitForCommittedToLogEnd,
} from '../../support/kafka.ts';
import { uniqueName } from '../../support/stack-env.ts';
import { createWorkerTopics } from '../../support/worker-topics.ts';
import { startWorkerProcess } from '../../support/worker-process.ts';
import { migratedDatabase } from '../schema/schema-database.ts';

const MAX_STRING = 16 * 1024;

describe('worker: no message stops a partition', () => {
  const kafka = testKafka();
  const clickhouse = testClickHouse();
  after(() => clickhouse.close());

  test('deeply nested, key-heavy and long-string events are dead letters; the partitions move on', async () => {
    const { topic, dlq, table, group, env } = await createWorkerTopics(kafka, 'hostile', 2);
    const hostile = hostileCases(MAX_STRING);
    const { messages: good, events } = jsonEvents(200, 2, 31);
    // Each partition: a hostile message first, then good and hostile interleaved, one last.
    const layout: Message[] = [];
    const expected = new Map<string, string>();
    for (const partition of [0, 1]) {
      let offset = 0;
      const place = (i: number): void => {
        const h = hostile[i % hostile.length]!;
        expected.set(`${partition}:${offset++}`, h.reason);
        layout.push({ value: h.value, partition });
      };
      place(0);
      const mine = good.filter((m) => m.partition === partition);
      mine.forEach((m, i) => {
        layout.push(m);
        offset++;
        if (i % 20 === 19) place(Math.floor(i / 20) + 1);
      });
      place(hostile.length - 1);
    }
    await produce(kafka, topic, layout);

    const worker = startWorkerProcess(`hostile-${table}`, {
      ...env,
      DECODE_MAX_STRING_LENGTH: String(MAX_STRING),
    });
    try {
      await waitForCommittedToLogEnd(kafka, group, topic, 90_000);
      assert.ok(worker.running, 'the worker is alive');
    } finally {
      worker.kill('SIGTERM');
      assert.equal(await worker.exited, 0, worker.log().slice(-3000));
    }
    await assertLandedExactlyOnce(
      clickhouse,
      table,
      events.map((e) => e.uuid),
    );
    // By source message (kafkajs may also return records of an aborted, retried transaction).
    const dead = await readDeadLetters(kafka, dlq);
    const got = new Map(
      dead.map((d) => [
        `${headerText(d.headers, DLQ_HEADERS.sourcePartition)}:${headerText(d.headers, DLQ_HEADERS.sourceOffset)}`,
        headerText(d.headers, DLQ_HEADERS.errorClass),
      ]),
    );
    assert.equal(dead.length, expected.size, 'one dead letter per hostile message');
    assert.deepEqual(got, expected);
  });

  test('a batch spanning 120 months lands exactly once, rollups included, across a kill after its insert', async () => {
    const db = await migratedDatabase('months');
    after(() => db.close());
    // Rows 10 years old would be removed by TTL merges at any moment: keep them for the count.
    for (const table of ['events', 'sessions', 'events_hourly', 'token_usage_daily'])
      await db.admin.command({ query: `ALTER TABLE ${db.database}.${table} REMOVE TTL` });
    const topic = uniqueName('months');
    const group = uniqueName('group');
    await createTopics(kafka, [
      { topic, partitions: 1 },
      { topic: `${topic}_dlq`, partitions: 1 },
    ]);
    const { messages, events } = jsonEvents(360, 1, 41);
    const start = Date.UTC(2016, 0, 15);
    messages.forEach((m, i) => {
      const event = { ...events[i]!, timestamp: monthsLater(start, i % 120) };
      m.value = JSON.stringify(event);
    });
    await produce(kafka, topic, messages);
    const env = {
      KAFKA_TOPICS: topic,
      KAFKA_DLQ_TOPIC: `${topic}_dlq`,
      KAFKA_GROUP_ID: group,
      CLICKHOUSE_DATABASE: db.database,
      CLICKHOUSE_TABLE: 'events',
      BATCH_MAX_ROWS: '1000',
      BATCH_MAX_AGE_MS: '2000',
    };
    // Killed right after the first batch's inserts were acknowledged, before its commit: the
    // next owner re-forms the same range, splits it the same way and ClickHouse drops repeats.
    const doomed = startWorkerProcess(`months-a-${topic}`, {
      ...env,
      HANZO_INGEST_FAILPOINTS: 'after-insert-before-commit:1',
    });
    assert.equal(await doomed.exited, null, 'killed by SIGKILL at the failpoint');
    const survivor = startWorkerProcess(`months-b-${topic}`, env);
    try {
      await waitForCommittedToLogEnd(kafka, group, topic, 90_000);
    } finally {
      survivor.kill('SIGTERM');
      assert.equal(await survivor.exited, 0, survivor.log().slice(-3000));
    }
    await assertLandedExactlyOnce(
      db.admin,
      `${db.database}.events`,
      events.map((e) => e.uuid),
    );
    const [months] = await queryRows<{ n: string }>(
      db.admin,
      `SELECT uniqExact(toYYYYMM(timestamp)) AS n FROM ${db.database}.events`,
    );
    assert.equal(Number(months?.n), 120);
    const [hourly] = await queryRows<{ n: string }>(
      db.admin,
      `SELECT sum(count) AS n FROM ${db.database}.events_hourly`,
    );
    assert.equal(Number(hourly?.n), 360, 'the hourly rollup counted every event once');
    assert.equal((await readTopic(kafka, `${topic}_dlq`)).length, 0, 'no dead letters');
    const ends = await logEndOffsets(kafka, topic);
    assert.deepEqual(await committedOffsets(kafka, group, topic), ends);
  });
});

function monthsLater(startMs: number, months: number): string {
  const d = new Date(startMs);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.toISOString();
}
