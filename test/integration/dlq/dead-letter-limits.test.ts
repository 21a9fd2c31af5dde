import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { Message } from 'kafkajs';
import { DLQ_HEADERS } from '../../../src/dlq/dead-letter-headers.ts';
import { replayDeadLetters } from '../../../src/dlq/replay-dead-letters.ts';
import { assertLandedExactlyOnce, testClickHouse } from '../../support/clickhouse.ts';
import { jsonEvents } from '../../support/events.ts';
import {
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
import { startWorkerProcess } from '../../support/worker-process.ts';

/** The DLQ topic's limit: far below what 3,000 dead letters of 2 KB make together. */
const DLQ_MAX_MESSAGE_BYTES = 64 * 1024;

/** Not JSON: an object that never closes, `bytes` long. */
function malformed(i: number, bytes: number): Buffer {
  const head = `{"broken":${i},"pad":"`;
  return Buffer.from(head + 'x'.repeat(bytes - head.length));
}

describe('dead letters fit the DLQ topic and never block a partition', () => {
  const kafka = testKafka();
  const clickhouse = testClickHouse();
  after(() => clickhouse.close());

  test('3,000 malformed 2 KB messages in a row reach a 64 KiB DLQ; the good events around them land once', async () => {
    const topic = uniqueName('dlqrun');
    const dlq = `${topic}_dlq`;
    const table = uniqueName('dlqrun');
    const group = uniqueName('group');
    await createTopics(kafka, [
      { topic, partitions: 2 },
      {
        topic: dlq,
        partitions: 1,
        configs: { 'max.message.bytes': String(DLQ_MAX_MESSAGE_BYTES) },
      },
    ]);
    const { messages: good, events } = jsonEvents(600, 1, 77);
    const bad: Message[] = Array.from({ length: 3_000 }, (_, i) => ({
      key: `bad-${i}`,
      value: malformed(i, 2_048),
      partition: 0,
      headers: { 'x-source': 'dlq-limits' },
    }));
    // Partition 0: good, the run of bad ones, good. Partition 1: good only.
    await produce(
      kafka,
      topic,
      [
        ...good.slice(0, 200).map((m) => ({ ...m, partition: 0 })),
        ...bad,
        ...good.slice(200, 400).map((m) => ({ ...m, partition: 0 })),
        ...good.slice(400).map((m) => ({ ...m, partition: 1 })),
        // Requests of 200: 2 KB each stays under the source topic's 1 MB limit.
      ],
      200,
    );

    const worker = startWorkerProcess(`dlqrun-${table}`, {
      KAFKA_TOPICS: topic,
      KAFKA_DLQ_TOPIC: dlq,
      KAFKA_GROUP_ID: group,
      CLICKHOUSE_TABLE: table,
    });
    try {
      await waitForCommittedToLogEnd(kafka, group, topic, 90_000);
      assert.equal(worker.running, true, 'the worker is alive');
    } finally {
      worker.kill('SIGTERM');
      assert.equal(await worker.exited, 0, worker.log().slice(-3_000));
    }

    await assertLandedExactlyOnce(
      clickhouse,
      table,
      events.map((e) => e.uuid),
    );
    const dead = await readTopic(kafka, dlq, 60_000);
    const offsets = new Set(dead.map((d) => headerText(d.headers, DLQ_HEADERS.sourceOffset)));
    assert.equal(offsets.size, 3_000, 'every bad message, by its source offset');
    for (const d of dead) {
      assert.equal(headerText(d.headers, DLQ_HEADERS.errorClass), 'invalid_json');
      assert.equal(headerText(d.headers, DLQ_HEADERS.sourceTopic), topic);
      assert.equal(headerText(d.headers, DLQ_HEADERS.sourcePartition), '0');
      assert.equal(headerText(d.headers, DLQ_HEADERS.truncated), undefined, 'none cut');
      assert.equal(headerText(d.headers, 'x-source'), 'dlq-limits');
      const offset = Number(headerText(d.headers, DLQ_HEADERS.sourceOffset));
      assert.ok(d.value?.equals(bad[offset - 200]!.value as Buffer), `bytes of offset ${offset}`);
    }
  });

  test('one bad message larger than the DLQ takes is stored truncated, and replay skips it', async () => {
    const topic = uniqueName('dlqbig');
    const dlq = `${topic}_dlq`;
    const replayTarget = `${topic}_replayed`;
    const table = uniqueName('dlqbig');
    const group = uniqueName('group');
    await createTopics(kafka, [
      { topic, partitions: 1 },
      {
        topic: dlq,
        partitions: 1,
        configs: { 'max.message.bytes': String(DLQ_MAX_MESSAGE_BYTES) },
      },
      { topic: replayTarget, partitions: 1 },
    ]);
    const { messages: good, events } = jsonEvents(100, 1, 78);
    // Under DECODE_MAX_MESSAGE_BYTES (1 MiB) and the source topic's limit: it is decoded,
    // found malformed, and its dead letter alone is three times the DLQ's limit.
    const big = malformed(0, 200_000);
    await produce(kafka, topic, [
      ...good.slice(0, 50),
      { key: 'big', value: big, headers: { 'x-source': 'big' } },
      ...good.slice(50),
    ]);

    const worker = startWorkerProcess(`dlqbig-${table}`, {
      KAFKA_TOPICS: topic,
      KAFKA_DLQ_TOPIC: dlq,
      KAFKA_GROUP_ID: group,
      CLICKHOUSE_TABLE: table,
    });
    try {
      await waitForCommittedToLogEnd(kafka, group, topic, 60_000);
    } finally {
      worker.kill('SIGTERM');
      assert.equal(await worker.exited, 0, worker.log().slice(-3_000));
    }
    await assertLandedExactlyOnce(
      clickhouse,
      table,
      events.map((e) => e.uuid),
    );

    // By source message (kafkajs may also return records of an aborted, retried transaction).
    const [stored, ...more] = await readDeadLetters(kafka, dlq);
    assert.ok(stored);
    assert.equal(more.length, 0);
    assert.equal(headerText(stored.headers, DLQ_HEADERS.truncated), String(big.length));
    assert.equal(headerText(stored.headers, DLQ_HEADERS.errorClass), 'invalid_json');
    assert.equal(headerText(stored.headers, DLQ_HEADERS.sourceTopic), topic);
    assert.equal(headerText(stored.headers, DLQ_HEADERS.sourcePartition), '0');
    assert.equal(headerText(stored.headers, DLQ_HEADERS.sourceOffset), '50');
    assert.equal(headerText(stored.headers, 'x-source'), 'big');
    assert.ok(stored.value !== null && stored.value.length > 32 * 1024, 'keeps what fits');
    assert.ok(stored.value.length < DLQ_MAX_MESSAGE_BYTES);
    assert.ok(
      big.subarray(0, stored.value.length).equals(stored.value),
      'a prefix of the original',
    );

    const summary = await replayDeadLetters({
      kafka,
      dlqTopic: dlq,
      filter: { reasons: [] },
      toTopic: replayTarget,
      dryRun: false,
    });
    assert.deepEqual(summary.skippedTruncated, [
      { source: `${topic}:0:50`, originalBytes: big.length },
    ]);
    assert.equal(summary.replayed, 0);
    assert.deepEqual(
      [...(await logEndOffsets(kafka, replayTarget)).values()],
      [0],
      'the prefix was not re-injected',
    );
  });
});
