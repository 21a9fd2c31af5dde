import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import avro from 'avsc';
import type { Message } from 'kafkajs';
import { SampleEventGenerator } from '../../../src/demo/sample-events.ts';
import { queryRows, testClickHouse, assertLandedExactlyOnce } from '../../support/clickhouse.ts';
import { committedOffsets, createTopics, produce, testKafka } from '../../support/kafka.ts';
import { uniqueName, waitFor } from '../../support/stack-env.ts';
import { startWorkerProcess } from '../../support/worker-process.ts';

const EVENTS = 20_000;
const eventType = avro.Type.forSchema(
  JSON.parse(readFileSync('schemas/avro/event.avsc', 'utf8')) as avro.Schema,
);

/** Sample events as Avro records of schemas/avro/event.avsc. */
function avroRecords(n: number, seed: number): { uuid: string; record: Record<string, unknown> }[] {
  const generator = new SampleEventGenerator({ seed });
  return Array.from({ length: n }, () => {
    const e = generator.next();
    return {
      uuid: e.uuid,
      record: {
        uuid: e.uuid,
        team_id: e.team_id,
        event: e.event,
        distinct_id: e.distinct_id,
        timestamp: Date.parse(e.timestamp),
        session_id: e.session_id,
        properties: JSON.stringify(e.properties),
        model: e.model ?? null,
        provider: e.provider ?? null,
        tokens_prompt: e.tokens_prompt ?? null,
        tokens_completion: e.tokens_completion ?? null,
        cost_usd: null,
        organization_id: e.organization_id ?? null,
        project_id: e.project_id ?? null,
        api_key_id: e.api_key_id ?? null,
      },
    };
  });
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
      const messages: Message[] = records.map(({ record }, i) => {
        const payload = eventType.toBuffer(record);
        const value =
          wire === 'plain' ? payload : Buffer.concat([Buffer.from([0, 0, 0, 0, 1]), payload]);
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
