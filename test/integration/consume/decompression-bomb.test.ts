/**
 * Decompression bombs on the real broker: a gzip batch (kafkajs's producer) and a zstd batch
 * (three records) that inflate to 200 MiB and 120 MiB from a few hundred KB, between good
 * events. Each of their records is a `message_too_large` dead letter, the partition moves on,
 * and the worker never holds the inflated batches (its peak RSS stays below its container's
 * limit; without the bound one such batch took it to 866 MiB, eight to 3.6 GiB).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import kafkajs from 'kafkajs';
import { registerCompressionCodecs } from '../../../src/consume/compression/register-compression-codecs.ts';
import { DLQ_HEADERS } from '../../../src/dlq/dead-letter-headers.ts';
import { procStatusKiB } from '../../chaos/harness/proc-status.ts';
import { assertLandedExactlyOnce, testClickHouse } from '../../support/clickhouse.ts';
import { jsonEvents } from '../../support/events.ts';
import {
  committedOffsets,
  headerText,
  logEndOffsets,
  produce,
  readDeadLetters,
  testKafka,
  waitForCommittedToLogEnd,
} from '../../support/kafka.ts';
import { createWorkerTopics } from '../../support/worker-topics.ts';
import { startWorkerProcess } from '../../support/worker-process.ts';

const { CompressionTypes } = kafkajs;
const MiB = 1024 * 1024;
const { limitMiB } = JSON.parse(
  readFileSync(new URL('../../../docker/memory-budget.json', import.meta.url), 'utf8'),
) as { limitMiB: number };

registerCompressionCodecs();

describe('worker: a decompression bomb is dead letters, never memory', () => {
  const kafka = testKafka();
  const clickhouse = testClickHouse();
  after(() => clickhouse.close());

  test('gzip and zstd batches past KAFKA_MAX_DECOMPRESSED_BATCH_BYTES between good events', async () => {
    const { topic, dlq, table, group, env } = await createWorkerTopics(kafka, 'bomb', 1);
    const { messages: good, events } = jsonEvents(15, 1, 61);
    await produce(kafka, topic, good.slice(0, 5));
    const producer = kafka.producer();
    await producer.connect();
    try {
      await producer.send({
        topic,
        compression: CompressionTypes.GZIP,
        messages: [{ partition: 0, value: Buffer.alloc(200 * MiB, 'a') }],
      });
      await produce(kafka, topic, good.slice(5, 10));
      await producer.send({
        topic,
        compression: CompressionTypes.ZSTD,
        messages: [0, 1, 2].map((i) => ({ partition: 0, value: Buffer.alloc(40 * MiB, 98 + i) })),
      });
    } finally {
      await producer.disconnect();
    }
    await produce(kafka, topic, good.slice(10));

    const worker = startWorkerProcess(`bomb-${table}`, env);
    let peakMiB: number | undefined;
    try {
      await waitForCommittedToLogEnd(kafka, group, topic, 90_000);
      peakMiB = procStatusKiB(worker.pid, 'VmHWM') / 1024;
    } finally {
      worker.kill('SIGTERM');
    }
    assert.equal(await worker.exited, 0);
    await assertLandedExactlyOnce(
      clickhouse,
      table,
      events.map((e) => e.uuid),
    );
    const dead = await readDeadLetters(kafka, dlq);
    assert.deepEqual(
      dead.map((d) => [
        headerText(d.headers, DLQ_HEADERS.sourceOffset),
        headerText(d.headers, DLQ_HEADERS.errorClass),
        d.value?.length ?? null,
      ]),
      [
        ['5', 'message_too_large', 0],
        ['11', 'message_too_large', 0],
        ['12', 'message_too_large', 0],
        ['13', 'message_too_large', 0],
      ],
    );
    assert.match(
      headerText(dead[0]!.headers, DLQ_HEADERS.errorMessage) ?? '',
      /^message not read: its gzip-compressed record batch \(\d+ bytes\) decompresses to more than the 67108864-byte limit \(KAFKA_MAX_DECOMPRESSED_BATCH_BYTES\)$/,
    );
    assert.match(
      headerText(dead[1]!.headers, DLQ_HEADERS.errorMessage) ?? '',
      /^message not read: its zstd-compressed record batch/,
    );
    assert.deepEqual(
      await committedOffsets(kafka, group, topic),
      await logEndOffsets(kafka, topic),
    );
    console.log(`worker peak RSS ${peakMiB?.toFixed(0)} MiB (container limit ${limitMiB} MiB)`);
    assert.ok(peakMiB !== undefined && peakMiB > 0 && peakMiB < limitMiB);
  });
});
