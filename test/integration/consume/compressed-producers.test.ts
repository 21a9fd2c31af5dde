import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { CODEC_NAMES, type CodecName } from '../../../src/consume/compression/record-codec.ts';
import { freePort } from '../../stack/process/free-port.ts';
import { assertLandedExactlyOnce, testClickHouse } from '../../support/clickhouse.ts';
import { codecsOf } from '../../support/codec-census.ts';
import { jsonEvents } from '../../support/events.ts';
import { consumeWithJavaConsumer } from '../../support/java-consumer.ts';
import { produceWithJavaProducer } from '../../support/java-producer.ts';
import {
  committedOffsets,
  createTopics,
  logEndOffsets,
  readTopic,
  testKafka,
  waitForCommittedToLogEnd,
} from '../../support/kafka.ts';
import { uniqueName, waitFor } from '../../support/stack-env.ts';
import { startWorkerProcess, type WorkerProcess } from '../../support/worker-process.ts';

/** Batches of many records, so each codec compresses real batches. */
const BATCHING = { 'linger.ms': '50', 'batch.size': '65536' };

/** JSON lines and uuids of `n` good events. */
function goodEvents(n: number, seed: number): { lines: string[]; keys: string[]; uuids: string[] } {
  const { messages, events } = jsonEvents(n, 1, seed);
  return {
    lines: messages.map((m) => String(m.value)),
    keys: events.map((e) => e.distinct_id),
    uuids: events.map((e) => e.uuid),
  };
}

/** Rethrows `err` with the end of the worker's log: what the worker saw is the clue. */
function withLog(worker: WorkerProcess, err: unknown): Error {
  return new Error(
    `${err instanceof Error ? err.message : String(err)}\n${worker.log().slice(-4000)}`,
  );
}

async function stopWorker(worker: WorkerProcess): Promise<void> {
  assert.ok(worker.running, `the worker is alive: ${worker.log().slice(-3000)}`);
  worker.kill('SIGTERM');
  assert.equal(await worker.exited, 0, worker.log().slice(-3000));
}

describe('compressed batches from Apache Kafka’s Java clients', () => {
  const kafka = testKafka();
  const clickhouse = testClickHouse();
  after(() => clickhouse.close());

  test('gzip, snappy, lz4 and zstd from the Java console producer land exactly once', async () => {
    const base = uniqueName('codecs');
    const table = uniqueName('codecs');
    const group = uniqueName('group');
    const topicOf = (codec: CodecName): string => `${base}_${codec}`;
    await createTopics(kafka, [
      ...CODEC_NAMES.map((codec) => ({ topic: topicOf(codec), partitions: 2 })),
      { topic: `${base}_dlq`, partitions: 1 },
    ]);
    const uuids: string[] = [];
    for (const [i, codec] of CODEC_NAMES.entries()) {
      const { lines, keys, uuids: produced } = goodEvents(1_500, 40 + i);
      await produceWithJavaProducer(kafka, {
        topic: topicOf(codec),
        lines,
        keys,
        compression: codec,
        properties: BATCHING,
      });
      uuids.push(...produced);
      // The batches really are in this codec: kafkajs decompresses them with it alone.
      const read = await codecsOf(() => readTopic(kafka, topicOf(codec)));
      assert.deepEqual(Object.keys(read), [codec], `${codec} topic: ${JSON.stringify(read)}`);
    }

    const worker = startWorkerProcess(`codecs-${table}`, {
      KAFKA_TOPICS: CODEC_NAMES.map(topicOf).join(','),
      KAFKA_DLQ_TOPIC: `${base}_dlq`,
      KAFKA_GROUP_ID: group,
      CLICKHOUSE_TABLE: table,
    });
    try {
      for (const codec of CODEC_NAMES) {
        await waitForCommittedToLogEnd(kafka, group, topicOf(codec), 90_000);
      }
    } catch (err) {
      throw withLog(worker, err);
    } finally {
      await stopWorker(worker);
    }
    await assertLandedExactlyOnce(clickhouse, table, uuids);
    const dlqEnd = await logEndOffsets(kafka, `${base}_dlq`);
    assert.deepEqual([...dlqEnd.values()], [0], 'no dead letters');
  });

  test('KAFKA_DLQ_COMPRESSION: dead letters the Java console consumer reads back', async () => {
    const codecs = ['zstd', 'lz4', 'snappy', 'gzip'] as const;
    const runs = await Promise.all(
      codecs.map(async (codec, i) => {
        const topic = uniqueName(`dlq_${codec}`);
        const dlq = `${topic}_dlq`;
        const table = uniqueName(`dlq_${codec}`);
        const group = uniqueName('group');
        await createTopics(kafka, [
          { topic, partitions: 1 },
          { topic: dlq, partitions: 1 },
        ]);
        const { lines, uuids } = goodEvents(600, 60 + i);
        const poison = Array.from({ length: 40 }, (_, n) => `not json ${codec} ${n}`);
        // Poison spread through the good lines, so dead letters and rows share batches.
        const mixed = lines.flatMap((line, n) => (n % 15 === 0 ? [poison[n / 15]!, line] : [line]));
        assert.equal(mixed.length, lines.length + poison.length);
        await produceWithJavaProducer(kafka, {
          topic,
          lines: mixed,
          compression: codec,
          properties: BATCHING,
        });
        const worker = startWorkerProcess(`dlq-${table}`, {
          KAFKA_TOPICS: topic,
          KAFKA_DLQ_TOPIC: dlq,
          KAFKA_GROUP_ID: group,
          KAFKA_DLQ_COMPRESSION: codec,
          CLICKHOUSE_TABLE: table,
        });
        try {
          await waitForCommittedToLogEnd(kafka, group, topic, 90_000);
        } catch (err) {
          throw withLog(worker, err);
        } finally {
          await stopWorker(worker);
        }
        await assertLandedExactlyOnce(clickhouse, table, uuids);
        const values = await consumeWithJavaConsumer(dlq, poison.length);
        assert.deepEqual([...values].sort(), [...poison].sort(), `${codec}: dead letters`);
        return { codec, dlq };
      }),
    );
    // The dead letters were written in the configured codec (read one topic at a time).
    for (const { codec, dlq } of runs) {
      const read = await codecsOf(() => readTopic(kafka, dlq));
      assert.deepEqual(Object.keys(read), [codec], `${codec} DLQ: ${JSON.stringify(read)}`);
    }
  });

  test('undecodable batches (failpoint decompress): retried, counted, the worker lives on and resumes', async () => {
    const topic = uniqueName('decompress');
    const table = uniqueName('decompress');
    const group = uniqueName('group');
    await createTopics(kafka, [
      { topic, partitions: 2 },
      { topic: `${topic}_dlq`, partitions: 1 },
    ]);
    const { lines, uuids } = goodEvents(2_000, 80);
    await produceWithJavaProducer(kafka, {
      topic,
      lines,
      partition: 1,
      compression: 'zstd',
      properties: BATCHING,
    });
    assert.deepEqual(Object.fromEntries(await logEndOffsets(kafka, topic)), { 0: 0, 1: 2_000 });

    // kafkajs retries a failed fetch 5 times with backoff, then crashes the consumer with
    // restart=true and restarts it: 10 failures cover both, the last ones after the restart.
    const failures = 10;
    const port = await freePort();
    const worker = startWorkerProcess(`decompress-${table}`, {
      KAFKA_TOPICS: topic,
      KAFKA_DLQ_TOPIC: `${topic}_dlq`,
      KAFKA_GROUP_ID: group,
      CLICKHOUSE_TABLE: table,
      METRICS_PORT: String(port),
      HANZO_INGEST_FAILPOINTS: `decompress:${failures}`,
    });
    /** A series of the worker's /metrics (the first with these labels), 0 if absent. */
    const metric = async (name: string, labels = ''): Promise<number> => {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
      return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
    };
    const decompressErrors = (): Promise<number> =>
      metric('hanzo_ingest_fetch_decompress_errors_total', 'codec="zstd"');
    try {
      await waitFor(async () => (await decompressErrors()) >= 1, {
        timeoutMs: 60_000,
        what: 'the first decompression failure to be counted',
      });
      assert.ok(worker.running, 'alive after the first failure');
      // Partition 0 stays empty (never committed): wait for partition 1's log end.
      await waitFor(async () => (await committedOffsets(kafka, group, topic)).get(1) === 2_000, {
        timeoutMs: 240_000,
        what: `${group} to commit ${topic}[1] up to its log end`,
      });
      assert.equal(await decompressErrors(), failures, 'every failure counted, no other');
      // The consumer restarted (a second group join) rather than the worker exiting.
      assert.ok((await metric('hanzo_ingest_rebalances_total')) >= 2, 'the consumer restarted');
    } catch (err) {
      throw withLog(worker, err);
    } finally {
      await stopWorker(worker);
    }
    await assertLandedExactlyOnce(clickhouse, table, uuids);
  });
});
