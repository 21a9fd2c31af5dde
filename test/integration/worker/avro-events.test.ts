import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { Message } from 'kafkajs';
import { DLQ_HEADERS } from '../../../src/dlq/dead-letter-headers.ts';
import { queryRows, testClickHouse, assertLandedExactlyOnce } from '../../support/clickhouse.ts';
import { avroEventType, avroRecords, confluentFramed } from '../../support/events.ts';
import {
  committedOffsets,
  createTopics,
  headerText,
  produce,
  readDeadLetters,
  testKafka,
} from '../../support/kafka.ts';
import { uniqueName, waitFor } from '../../support/stack-env.ts';
import { startWorkerProcess } from '../../support/worker-process.ts';

const EVENTS = 20_000;

/** The record encoded with its distinct_id's bytes replaced by C3 28 (not UTF-8). */
function notUtf8(record: Record<string, unknown>): Buffer {
  const encoded = avroEventType.toBuffer({ ...record, distinct_id: 'QQ' });
  Buffer.from([0xc3, 0x28]).copy(encoded, encoded.indexOf('QQ'));
  return encoded;
}
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
      // Every 1,000th event's distinct_id is not UTF-8 (C3 28): a dead letter, as in JSON.
      const broken = (i: number): boolean => i % 1_000 === 7;
      const messages: Message[] = records.map(({ record }, i) => {
        const payload = broken(i) ? notUtf8(record) : avroEventType.toBuffer(record);
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
      const landing = records.filter((_, i) => !broken(i));
      await assertLandedExactlyOnce(
        clickhouse,
        table,
        landing.map((r) => r.uuid),
      );
      const dead = await readDeadLetters(kafka, `${topic}_dlq`);
      assert.deepEqual(
        [...new Set(dead.map((d) => headerText(d.headers, DLQ_HEADERS.errorClass)))],
        ['invalid_utf8'],
      );
      assert.equal(dead.length, EVENTS / 1_000);
      const expectedTokens = landing.reduce(
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
