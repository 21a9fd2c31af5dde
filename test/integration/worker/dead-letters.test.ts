import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { Message } from 'kafkajs';
import { DLQ_HEADERS } from '../../../src/dlq/dead-letter-headers.ts';
import { testClickHouse, assertLandedExactlyOnce } from '../../support/clickhouse.ts';
import { jsonEvents } from '../../support/events.ts';
import {
  createTopics,
  headerText,
  produce,
  readDeadLetters,
  testKafka,
  waitForCommittedToLogEnd,
} from '../../support/kafka.ts';
import { poisonCases } from '../../support/poison.ts';
import { uniqueName } from '../../support/stack-env.ts';
import { startWorkerProcess } from '../../support/worker-process.ts';

const MAX_MESSAGE = 64 * 1024;
const MAX_PROPERTIES = 8 * 1024;
const GOOD_PER_GAP = 20;

describe('worker: poison messages go to the DLQ with their reason and block nothing', () => {
  const kafka = testKafka();
  const clickhouse = testClickHouse();
  after(() => clickhouse.close());

  test('every class first, middle and last in a partition, interleaved with good events', async () => {
    const topic = uniqueName('poison');
    const dlq = `${topic}_dlq`;
    const table = uniqueName('poison');
    const group = uniqueName('group');
    await createTopics(kafka, [
      { topic, partitions: 2 },
      { topic: dlq, partitions: 1 },
    ]);
    const poisons = poisonCases(MAX_MESSAGE, MAX_PROPERTIES);
    const goodCount = GOOD_PER_GAP * (poisons.length + 1) * 2;
    const { messages: good, events } = jsonEvents(goodCount, 1, 21);
    const expected: { partition: number; offset: number; reason: string; value: Buffer }[] = [];
    for (const partition of [0, 1]) {
      const partitionGood = good.slice(
        partition * (goodCount / 2),
        (partition + 1) * (goodCount / 2),
      );
      // Layout per partition: all poisons first, then good/poison alternating in the middle, then all poisons last.
      const layout: Message[] = [];
      const place = (i: number): void => {
        const p = poisons[i % poisons.length]!;
        expected.push({ partition, offset: layout.length, reason: p.reason, value: p.value });
        layout.push({
          key: `poison-${i}`,
          value: p.value,
          partition,
          headers: { 'x-source': 'test' },
        });
      };
      poisons.forEach((_, i) => place(i));
      let g = 0;
      for (let i = 0; i < poisons.length; i++) {
        for (let j = 0; j < GOOD_PER_GAP; j++) layout.push({ ...partitionGood[g++]!, partition });
        place(i);
      }
      while (g < partitionGood.length) layout.push({ ...partitionGood[g++]!, partition });
      poisons.forEach((_, i) => place(i));
      await produce(kafka, topic, layout);
    }

    const worker = startWorkerProcess(`poison-${table}`, {
      KAFKA_TOPICS: topic,
      KAFKA_DLQ_TOPIC: dlq,
      KAFKA_GROUP_ID: group,
      CLICKHOUSE_TABLE: table,
      DECODE_MAX_MESSAGE_BYTES: String(MAX_MESSAGE),
      DECODE_MAX_PROPERTIES_BYTES: String(MAX_PROPERTIES),
      DECODE_MAX_FUTURE_SKEW_MS: '3600000',
    });
    try {
      await waitForCommittedToLogEnd(kafka, group, topic, 60_000);
    } finally {
      worker.kill('SIGTERM');
      assert.equal(await worker.exited, 0, worker.log().slice(-3000));
    }

    await assertLandedExactlyOnce(
      clickhouse,
      table,
      events.map((e) => e.uuid),
    );

    // By source message (kafkajs may also return records of an aborted, retried DLQ
    // transaction; Kafka's own consumer is the reference in dead-letters-exactly-once).
    const dead = await readDeadLetters(kafka, dlq);
    assert.equal(dead.length, expected.length, 'one dead letter per poison message');
    const byOrigin = new Map(
      dead.map((d) => [
        `${headerText(d.headers, DLQ_HEADERS.sourcePartition)}:${headerText(d.headers, DLQ_HEADERS.sourceOffset)}`,
        d,
      ]),
    );
    for (const e of expected) {
      const d = byOrigin.get(`${e.partition}:${e.offset}`);
      assert.ok(d, `dead letter for partition ${e.partition} offset ${e.offset}`);
      assert.equal(headerText(d.headers, DLQ_HEADERS.errorClass), e.reason);
      assert.equal(headerText(d.headers, DLQ_HEADERS.stage), 'decode');
      assert.equal(headerText(d.headers, DLQ_HEADERS.sourceTopic), topic);
      assert.ok((headerText(d.headers, DLQ_HEADERS.errorMessage) ?? '').length > 0);
      assert.ok(headerText(d.headers, DLQ_HEADERS.workerId)?.startsWith('poison-'));
      assert.ok(!Number.isNaN(Date.parse(headerText(d.headers, DLQ_HEADERS.time) ?? '')));
      assert.equal(headerText(d.headers, 'x-source'), 'test', 'original headers are kept');
      assert.ok(d.value?.equals(e.value), 'original bytes are kept');
    }
    const reasons = new Set(expected.map((e) => e.reason));
    assert.equal(reasons.size, poisons.length > 0 ? new Set(poisons.map((p) => p.reason)).size : 0);
  });
});
