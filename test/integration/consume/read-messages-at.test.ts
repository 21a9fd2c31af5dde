/**
 * readMessagesAt on the real broker: the messages at some offsets, read again as a
 * read_committed consumer sees them, whatever the log holds around them (zstd batches from
 * Kafka's Java producer, committed and aborted transactions, deleted records).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { registerCompressionCodecs } from '../../../src/consume/compression/register-compression-codecs.ts';
import { readMessagesAt } from '../../../src/consume/read-messages-at.ts';
import { produceLikeRealProducers } from '../../support/real-producers.ts';
import { createTopics, deleteRecordsBefore, readTopic, testKafka } from '../../support/kafka.ts';
import { uniqueName } from '../../support/stack-env.ts';

registerCompressionCodecs();

describe('readMessagesAt: messages read again by offset', () => {
  const kafka = testKafka();
  const read = (topic: string, partition: number, offsets: readonly string[]) =>
    readMessagesAt(kafka, topic, partition, offsets, {
      groupPrefix: uniqueName('reread'),
      timeoutMs: 30_000,
      signal: new AbortController().signal,
    });

  test('zstd batches and transactions (one aborted): each wanted message as produced, nothing passed over', async () => {
    const topic = uniqueName('reread');
    await createTopics(kafka, [{ topic, partitions: 2 }]);
    const lines = Array.from({ length: 400 }, (_, i) =>
      JSON.stringify({ n: i, pad: 'x'.repeat(i % 50) }),
    );
    await produceLikeRealProducers(kafka, topic, lines);
    const log = await readTopic(kafka, topic);
    for (const partition of [0, 1]) {
      const messages = log.filter((m) => m.partition === partition);
      const wanted = messages.filter((_, i) => i % 7 === 3 || i === messages.length - 1);
      const got = await read(
        topic,
        partition,
        wanted.map((m) => m.offset),
      );
      assert.deepEqual(got.passedOver, []);
      assert.deepEqual(
        [...got.found.values()].map((m) => [
          m.offset,
          m.value?.toString(),
          m.key?.toString() ?? null,
        ]),
        wanted.map((m) => [m.offset, m.value?.toString(), m.key?.toString() ?? null]),
        `partition ${partition}`,
      );
    }
    // An aborted transaction's offsets (between the committed ones) are not messages.
    const committed1 = new Set(log.filter((m) => m.partition === 1).map((m) => m.offset));
    const aborted = Array.from({ length: 120 }, (_, i) => String(i)).filter(
      (o) => !committed1.has(o),
    );
    assert.ok(aborted.length >= 50);
    const none = await read(topic, 1, aborted.slice(0, 10));
    assert.equal(none.found.size, 0);
  });

  test('offsets below the log start (DeleteRecords) or past its end are not found and not passed over', async () => {
    const topic = uniqueName('reread_gone');
    await createTopics(kafka, [{ topic, partitions: 1 }]);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: Array.from({ length: 100 }, (_, i) => ({ value: `v${i}` })),
    });
    await producer.disconnect();
    await deleteRecordsBefore(kafka, topic, 0, 60);
    const got = await read(topic, 0, ['5', '59', '60', '99', '150']);
    assert.deepEqual([...got.found.keys()], ['60', '99']);
    assert.equal(got.found.get('60')?.value?.toString(), 'v60');
    assert.deepEqual(got.passedOver, []);
    const all = await read(topic, 0, ['1', '2']);
    assert.deepEqual([all.found.size, all.passedOver], [0, []]);
  });
});
