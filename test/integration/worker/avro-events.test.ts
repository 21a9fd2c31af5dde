import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { Message } from 'kafkajs';
import { queryRows, testClickHouse, assertLandedExactlyOnce } from '../../support/clickhouse.ts';
import { avroEventType, avroRecords, confluentFramed } from '../../support/events.ts';
import { committedOffsets, createTopics, produce, testKafka } from '../../support/kafka.ts';
import { uniqueName, waitFor } from '../../support/stack-env.ts';
import { startWorkerProcess } from '../../support/worker-process.ts';

const EVENTS = 20_000;
describe('worker: Avro events land exactly once', () => {
  const kafka = testKafka();
  const clickhouse = testClickHouse();
  after(() => clickhouse.close());

  for (const wire of ['plain', 'confluent'] as const) {
    test(`${wire} Avro: ${EVENTS} events over 4 partitions`, async () => {
      const topic = uniqueName(`avro_${wire}`);
      const table = uniqueName(`avro_${wire}`);
      const group = uniqueName('group');
      await createTopics(kafka, [
        { topic, partitions: 4 },
        { topic: `${topic}_dlq`, partitions: 1 },
      ]);
      const records = avroRecords(EVENTS, wire === 'plain' ? 31 : 32);
      const messages: Message[] = records.map(({ record }, i) => {
        const payload = avroEventType.toBuffer(record);
        const value = wire === 'plain' ? payload : confluentFramed(1, payload);
        return { key: String(record['distinct_id']), value, partition: i % 4 };
      });
      await produce(kafka, topic, messages);
      const worker = startWorkerProcess(`avro-${table}`, {
        KAFKA_TOPICS: topic,
        KAFKA_DLQ_TOPIC: `${topic}_dlq`,
        KAFKA_GROUP_ID: group,
        CLICKHOUSE_TABLE: table,
        DECODE_FORMAT: wire === 'plain' ? 'avro' : 'auto',
        DECODE_AVRO_SCHEMA_IDS: '1=schemas/avro/event.avsc',
      });
      try {
        await waitFor(
          async () =>
            [...(await committedOffsets(kafka, group, topic)).values()].reduce(
              (a, b) => a + b,
              0,
            ) === EVENTS,
          {
            timeoutMs: 90_000,
            what: 'all Avro events committed',
          },
        );
      } finally {
        worker.kill('SIGTERM');
        assert.equal(await worker.exited, 0, worker.log().slice(-3000));
      }
      await assertLandedExactlyOnce(
        clickhouse,
        table,
        records.map((r) => r.uuid),
      );
      const expectedTokens = records.reduce(
        (s, r) => s + Number(r.record['tokens_prompt'] ?? 0),
        0,
      );
      const [row] = await queryRows<{ t: string }>(
        clickhouse,
        `SELECT sum(tokens_prompt) AS t FROM ${table}`,
      );
      assert.equal(Number(row?.t), expectedTokens);
    });
  }
});
