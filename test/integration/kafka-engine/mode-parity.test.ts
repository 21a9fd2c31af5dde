import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadConfig } from '../../../src/config/load-config.ts';
import { DLQ_HEADERS } from '../../../src/dlq/dead-letter-headers.ts';
import { kafkaEngineObjects } from '../../../src/kafka-engine/object-names.ts';
import { compareEventsTables, errorClasses } from '../../fixtures/kafka-engine/compare-landed.ts';
import { CORPUS_LIMITS, parityCorpus } from '../../fixtures/kafka-engine/parity-corpus.ts';
import { writeGeoCsvLikeTheWorker } from '../../fixtures/kafka-engine/worker-reference.ts';
import { queryRows, testClickHouse } from '../../support/clickhouse.ts';
import {
  createTopics,
  headerText,
  produce,
  readTopic,
  testKafka,
  waitForCommittedToLogEnd,
} from '../../support/kafka.ts';
import { testStack, uniqueName } from '../../support/stack-env.ts';
import { startWorkerProcess } from '../../support/worker-process.ts';
import { dropPipelineWhenIdle } from '../../fixtures/kafka-engine/drop-pipeline.ts';

const EVENTS = 10_000;
const PARTITIONS = 3;

/** Documented differences between the modes for single messages (README). */
const KNOWN_CLASS_DIFFERENCES: Readonly<Record<string, string>> = {
  'poison: timestamp overflowing a double': 'invalid_json',
};

/**
 * The same 10,000 messages (realistic events, every accepted variant, every kind of broken
 * message) consumed twice from one topic: by a worker process (mode worker) and by ClickHouse's
 * own Kafka engine (a `hanzo-ingest run` process in mode kafka-engine, which applies the DDL;
 * the chDB-backed test server runs the engine's consumers). Both land the same rows except the
 * documented columns; what the worker dead-letters, the engine keeps in the errors table.
 */
describe('mode worker and mode kafka-engine on the same 10,000 messages', () => {
  const kafka = testKafka();
  const clickhouse = testClickHouse();
  after(() => clickhouse.close());

  test('same rows except documented columns; broken messages in events_kafka_errors', async () => {
    const nowMs = Date.now();
    const topic = uniqueName('modes');
    const dlq = `${topic}_dlq`;
    const workerTable = uniqueName('modes_worker');
    const engineTable = uniqueName('modes_engine');
    const csv = join(mkdtempSync(join(tmpdir(), 'modes-')), 'networks.csv');
    const corpus = parityCorpus(EVENTS, 23, nowMs).slice(0, EVENTS);
    assert.equal(corpus.length, EVENTS);
    const baseEnv = {
      KAFKA_TOPICS: topic,
      KAFKA_DLQ_TOPIC: dlq,
      DECODE_MAX_MESSAGE_BYTES: String(CORPUS_LIMITS.maxMessageBytes),
      DECODE_MAX_PROPERTIES_BYTES: String(CORPUS_LIMITS.maxPropertiesBytes),
      ENRICH_GEO_WATCH_INTERVAL_MS: '0',
    };
    const engineEnv = {
      ...baseEnv,
      INGEST_MODE: 'kafka-engine',
      KAFKA_GROUP_ID: `${topic}_engine`,
      CLICKHOUSE_TABLE: engineTable,
      KAFKA_ENGINE_NUM_CONSUMERS: '1',
      KAFKA_ENGINE_FLUSH_INTERVAL_MS: '500',
      KAFKA_ENGINE_MAX_BLOCK_SIZE: '2000',
      KAFKA_ENGINE_GEO_NETWORKS_FILE: csv,
    };
    const config = loadConfig({
      env: { ...engineEnv, KAFKA_BROKERS: testStack().brokers.join(',') },
    });
    await writeGeoCsvLikeTheWorker(config, corpus, csv);
    await createTopics(kafka, [
      { topic, partitions: PARTITIONS },
      { topic: dlq, partitions: 1 },
    ]);
    await produce(
      kafka,
      topic,
      corpus.map((m, i) => ({ key: `k${i}`, value: m.value, partition: i % PARTITIONS })),
    );
    const labelOf = new Map(
      corpus.map((m, i) => [`${i % PARTITIONS}:${Math.floor(i / PARTITIONS)}`, m.label]),
    );

    const started = Date.now();
    const worker = startWorkerProcess(`modes-worker-${workerTable}`, {
      ...baseEnv,
      KAFKA_GROUP_ID: `${topic}_worker`,
      CLICKHOUSE_TABLE: workerTable,
    });
    const engine = startWorkerProcess(`modes-engine-${engineTable}`, engineEnv);
    const objects = kafkaEngineObjects({ database: 'default', eventsTable: engineTable });
    try {
      await waitForCommittedToLogEnd(kafka, `${topic}_worker`, topic, 300_000);
      const workerSeconds = (Date.now() - started) / 1000;
      await waitForCommittedToLogEnd(kafka, `${topic}_engine`, topic, 300_000);
      const engineSeconds = (Date.now() - started) / 1000;
      console.log(
        `worker: ${workerSeconds.toFixed(1)} s, kafka-engine: ${engineSeconds.toFixed(1)} s (from process start, 10,000 messages)`,
      );

      // Worker mode: rows in its table, dead letters in the DLQ topic.
      const deadLetters = await readTopic(kafka, dlq);
      const workerClasses = deadLetters.map((d) => {
        const key = `${headerText(d.headers, DLQ_HEADERS.sourcePartition)}:${headerText(d.headers, DLQ_HEADERS.sourceOffset)}`;
        const label = labelOf.get(key) ?? '?';
        return `${key} ${KNOWN_CLASS_DIFFERENCES[label] ?? headerText(d.headers, DLQ_HEADERS.errorClass)} (${label})`;
      });
      // The Kafka engine skips messages with an empty value (documented): they are neither
      // rows nor errors in kafka-engine mode.
      const empty = workerClasses.filter((c) => c.includes('(poison: empty message)'));
      assert.equal(empty.length, corpus.filter((m) => m.value.length === 0).length);

      const errors = await errorClasses(clickhouse, objects.errorsTable, topic);
      const engineClasses = [...errors].map(
        ([k, e]) => `${k} ${e.errorClass} (${labelOf.get(k) ?? '?'})`,
      );
      assert.deepEqual(
        engineClasses.sort(),
        workerClasses.filter((c) => !empty.includes(c)).sort(),
      );
      assert.ok(engineClasses.length >= 40, `errors: ${engineClasses.length}`);

      const comparison = await compareEventsTables(
        clickhouse,
        `default.${engineTable}`,
        `default.${workerTable}`,
      );
      assert.deepEqual(
        {
          onlyKafkaEngine: comparison.onlyA,
          onlyWorker: comparison.onlyB,
          rows: comparison.rows.a,
        },
        { onlyKafkaEngine: 0, onlyWorker: 0, rows: EVENTS - deadLetters.length },
        JSON.stringify(comparison, null, 2),
      );
      assert.deepEqual(comparison.mismatches, {}, JSON.stringify(comparison.mismatches, null, 2));
      const [engineDup] = await queryRows<{ n: number }>(
        clickhouse,
        `SELECT count() - uniqExact(_partition, _offset) AS n FROM default.${engineTable}`,
      );
      assert.equal(Number(engineDup?.n), 0, 'no message landed twice');

      // The documented columns: both modes parse user agents (uap-core in SQL: bots get names too).
      const [ua] = await queryRows<{ worker: number; engine: number }>(
        clickhouse,
        `SELECT (SELECT countIf(browser != '') FROM default.${workerTable}) AS worker,
                (SELECT countIf(browser != '') FROM default.${engineTable}) AS engine`,
      );
      assert.ok(
        Number(ua?.worker) > 1000 && Number(ua?.engine) >= 0.9 * Number(ua?.worker),
        JSON.stringify(ua),
      );

      // The engine's consumers as system.kafka_consumers reports them (lag source).
      const consumers = await queryRows<{ n: number; read: number }>(
        clickhouse,
        `SELECT count() AS n, sum(num_messages_read) AS read FROM system.kafka_consumers WHERE database = 'default' AND table = {t:String}`,
        { t: objects.kafkaTable.split('.')[1] },
      );
      assert.ok(
        Number(consumers[0]?.n) >= 1 && Number(consumers[0]?.read) >= EVENTS - empty.length,
        JSON.stringify(consumers),
      );
    } finally {
      await worker.stop(30_000);
      await engine.stop(30_000);
      await dropPipelineWhenIdle(clickhouse, objects);
    }
  });
});
