/**
 * Transactions that overlap on one partition and end in another order than they began: a
 * record of an aborted transaction never lands, whatever the order the broker lists the
 * aborted transactions in (kafkajs's own filter takes that list as sorted: aborted-records.ts).
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { Message, Producer } from 'kafkajs';
import { assertLandedExactlyOnce, testClickHouse } from '../../support/clickhouse.ts';
import { jsonEvents } from '../../support/events.ts';
import {
  committedOffsets,
  logEndOffsets,
  produce,
  readDeadLetters,
  testKafka,
} from '../../support/kafka.ts';
import { createWorkerTopics } from '../../support/worker-topics.ts';
import { runWorkerToLogEnd } from '../../support/worker-process.ts';

describe('worker: records of aborted transactions never land', () => {
  const kafka = testKafka();
  const clickhouse = testClickHouse();
  after(() => clickhouse.close());

  test('transactions begun in one order and aborted in another, a fetch starting inside two of them', async () => {
    const { topic, dlq, table, group, env } = await createWorkerTopics(kafka, 'aborted_tx', 1);
    const { messages, events } = jsonEvents(60, 1, 47);
    const take = (n: number): Message[] => messages.splice(0, n);
    const keep: string[] = [];
    const landing = (batch: Message[]): Message[] => {
      for (const m of batch) keep.push((JSON.parse(String(m.value)) as { uuid: string }).uuid);
      return batch;
    };
    const producers: Producer[] = ['p1', 'p2', 'p3'].map((id) =>
      kafka.producer({
        transactionalId: `${topic}-${id}`,
        idempotent: true,
        maxInFlightRequests: 1,
      }),
    );
    const [p1, p2, p3] = producers as [Producer, Producer, Producer];
    try {
      for (const p of producers) await p.connect();
      const send = (tx: Awaited<ReturnType<Producer['transaction']>>, batch: Message[]) =>
        tx.send({ topic, messages: batch.map((m) => ({ ...m, partition: 0 })) });
      await produce(kafka, topic, landing(take(4)));
      // A (p1) begins first and is aborted last; B (p2) begins inside A and is aborted first;
      // C (p3) begins inside both and commits; A writes again after B's marker.
      const a = await p1.transaction();
      await send(a, take(5));
      const b = await p2.transaction();
      await send(b, take(5));
      const c = await p3.transaction();
      await send(c, landing(take(5)));
      await b.abort();
      await send(a, take(5));
      await c.commit();
      await a.abort();
      // The same producers again: p2 commits after its abort, p1 aborts once more.
      const d = await p2.transaction();
      await send(d, landing(take(5)));
      await d.commit();
      const e = await p1.transaction();
      await send(e, take(5));
      await e.abort();
      await produce(kafka, topic, landing(take(4)));
    } finally {
      for (const p of producers) await p.disconnect();
    }
    assert.equal(keep.length, 18);
    // One message per fetch: the worker's fetches start inside A and B, then inside A alone.
    await runWorkerToLogEnd(
      kafka,
      `aborted-${table}`,
      {
        ...env,
        KAFKA_FETCH_MAX_BYTES_PER_PARTITION: '1',
      },
      60_000,
    );
    await assertLandedExactlyOnce(clickhouse, table, keep);
    assert.equal(
      events.filter((ev) => keep.includes(ev.uuid)).length,
      keep.length,
      'every kept uuid is one of the events produced',
    );
    assert.deepEqual(await readDeadLetters(kafka, dlq), []);
    assert.deepEqual(
      await committedOffsets(kafka, group, topic),
      await logEndOffsets(kafka, topic),
    );
  });

  test('logs ending in an aborted transaction or a commit marker, or holding nothing else: committed to their end, lag 0', async () => {
    const { topic, dlq, table, env } = await createWorkerTopics(kafka, 'tx_tail', 3);
    const { messages } = jsonEvents(320, 1, 83);
    const uuidOf = (m: Message): string => (JSON.parse(String(m.value)) as { uuid: string }).uuid;
    const to = (partition: number, batch: Message[]): Message[] =>
      batch.map((m) => ({ ...m, partition }));
    const plain = to(0, messages.slice(0, 5));
    const aborted = to(0, messages.slice(5, 305));
    const committed = to(1, messages.slice(305, 310));
    // Partition 2 holds nothing but an aborted transaction: no fetch of it has a message.
    const onlyAborted = to(2, messages.slice(310));
    const producer = kafka.producer({
      transactionalId: `${topic}-tx`,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    try {
      const d = await producer.transaction();
      await d.send({ topic, messages: onlyAborted });
      await d.abort();
      await produce(kafka, topic, plain);
      const a = await producer.transaction();
      await a.send({ topic, messages: aborted });
      await a.abort();
      const c = await producer.transaction();
      await c.send({ topic, messages: committed });
      await c.commit();
    } finally {
      await producer.disconnect();
    }
    // Past the last message: 300 aborted records and a marker; one commit marker; 10 + 1.
    assert.deepEqual(
      [...(await logEndOffsets(kafka, topic))].sort(([a], [b]) => a - b),
      [
        [0, 5 + 300 + 1],
        [1, 5 + 1],
        [2, 10 + 1],
      ],
    );
    await runWorkerToLogEnd(kafka, `tx-tail-${table}`, env, 60_000);
    await assertLandedExactlyOnce(clickhouse, table, [...plain, ...committed].map(uuidOf));
    assert.deepEqual(await readDeadLetters(kafka, dlq), []);
  });
});
