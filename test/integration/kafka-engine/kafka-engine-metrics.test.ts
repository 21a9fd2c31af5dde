import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { kafkaEngineObjects } from '../../../src/kafka-engine/object-names.ts';
import {
  KAFKA_CONSUMERS_QUERY,
  type RawKafkaConsumerRow,
} from '../../../src/kafka-engine/lag/read-kafka-consumers.ts';
import { METRICS } from '../../../src/observe/metric-names.ts';
import { freePort } from '../../stack/process/free-port.ts';
import { queryRows, testClickHouse } from '../../support/clickhouse.ts';
import { jsonEvents } from '../../support/events.ts';
import { createTopics, produce, testKafka, waitForCommittedToLogEnd } from '../../support/kafka.ts';
import { uniqueName, waitFor } from '../../support/stack-env.ts';
import { startWorkerProcess } from '../../support/worker-process.ts';
import { dropPipelineWhenIdle } from '../../fixtures/kafka-engine/drop-pipeline.ts';

const EVENTS = 600;
const PARTITIONS = 3;

/** `name{labels} value` lines of one metric in a Prometheus text exposition. */
function samplesOf(text: string, name: string): { labels: string; value: number }[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .map((line) => {
      const cut = line.lastIndexOf(' ');
      return { labels: line.slice(name.length, cut), value: Number(line.slice(cut + 1)) };
    });
}

/**
 * `hanzo-ingest run` in mode kafka-engine exports ClickHouse's own consumer figures
 * (system.kafka_consumers) on /metrics, next to the broker-side lag: the local stack's
 * ClickHouse (chDB) runs the engine's consumers against the local Kafka.
 */
describe('mode kafka-engine exports system.kafka_consumers on /metrics', () => {
  const kafka = testKafka();
  const clickhouse = testClickHouse();
  after(() => clickhouse.close());

  test('consumers, messages read, commits, assignments and poll times as gauges and counters', async () => {
    const topic = uniqueName('kemetrics');
    const table = uniqueName('kemetrics');
    const group = `${topic}_group`;
    await createTopics(kafka, [
      { topic, partitions: PARTITIONS },
      { topic: `${topic}_dlq`, partitions: 1 },
    ]);
    await produce(kafka, topic, jsonEvents(EVENTS, PARTITIONS, 7).messages);
    const port = await freePort();
    const objects = kafkaEngineObjects({ database: 'default', eventsTable: table });
    const kafkaTable = objects.kafkaTable;
    const started = Date.now() / 1000;
    const engine = startWorkerProcess(`kemetrics-${table}`, {
      INGEST_MODE: 'kafka-engine',
      KAFKA_TOPICS: topic,
      KAFKA_DLQ_TOPIC: `${topic}_dlq`,
      KAFKA_GROUP_ID: group,
      CLICKHOUSE_TABLE: table,
      KAFKA_ENGINE_NUM_CONSUMERS: '1',
      KAFKA_ENGINE_FLUSH_INTERVAL_MS: '500',
      ENRICH_LLM_COST_ENABLED: 'false',
      ENRICH_GEO_ENABLED: 'false',
      INGEST_LAG_REFRESH_MS: '1000',
      METRICS_PORT: String(port),
    });
    try {
      await waitForCommittedToLogEnd(kafka, group, topic, 300_000);
      const read = (text: string, key: keyof typeof METRICS): { labels: string; value: number }[] =>
        samplesOf(text, METRICS[key].name);
      // The exporter reads every second: wait for a read that saw every message.
      const text = await waitFor(
        async () => {
          const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
          const total = read(body, 'kafkaEngineMessagesRead').reduce((n, s) => n + s.value, 0);
          const lag = read(body, 'consumerLag').reduce((n, s) => n + s.value, 0);
          return total >= EVENTS && lag === 0 ? body : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 1000, what: 'the engine consumer figures on /metrics' },
      );
      const direct = await queryRows<RawKafkaConsumerRow>(clickhouse, KAFKA_CONSUMERS_QUERY, {
        db: 'default',
        t: kafkaTable.split('.')[1] ?? '',
      });
      console.log(`system.kafka_consumers row: ${JSON.stringify(direct[0])}`);
      assert.equal(direct.length, 1, 'one engine consumer (KAFKA_ENGINE_NUM_CONSUMERS=1)');
      const consumerId = direct[0]?.consumer_id ?? '';
      const labels = `{table="${kafkaTable}",consumer="${consumerId}",group="${group}"}`;

      assert.deepEqual(read(text, 'kafkaEngineConsumers'), [
        { labels: `{table="${kafkaTable}",group="${group}"}`, value: 1 },
      ]);
      assert.deepEqual(read(text, 'kafkaEngineUnassignedPartitions'), [
        { labels: `{table="${kafkaTable}",group="${group}"}`, value: 0 },
      ]);
      assert.deepEqual(read(text, 'kafkaEngineAssignedPartitions'), [
        { labels, value: PARTITIONS },
      ]);
      // In use while a stream reads it: 0 or 1 depending on the moment.
      const inUse = read(text, 'kafkaEngineConsumerInUse');
      assert.ok(inUse.length === 1 && inUse[0]?.labels === labels && inUse[0].value <= 1);
      const [messagesRead, ...more] = read(text, 'kafkaEngineMessagesRead');
      assert.equal(more.length, 0);
      assert.equal(messagesRead?.labels, labels);
      // At least every message; at most what ClickHouse reports now (read after the scrape).
      const readNow = Number(direct[0]?.num_messages_read);
      assert.ok(
        messagesRead !== undefined && messagesRead.value >= EVENTS && messagesRead.value <= readNow,
        `messages read: /metrics ${messagesRead?.value}, system.kafka_consumers ${readNow}`,
      );
      const commits = read(text, 'kafkaEngineCommits');
      assert.ok((commits[0]?.value ?? 0) >= 1, JSON.stringify(commits));
      const rebalances = read(text, 'kafkaEngineRebalances');
      assert.equal(rebalances.length, 2, JSON.stringify(rebalances));
      const assigned = rebalances.find((s) => s.labels.includes('event="assigned"'));
      assert.ok((assigned?.value ?? 0) >= 1, JSON.stringify(rebalances));
      const now = Date.now() / 1000;
      for (const key of ['kafkaEngineLastPoll', 'kafkaEngineLastCommit'] as const) {
        const [poll] = read(text, key);
        assert.ok(
          poll !== undefined && poll.value >= Math.floor(started) - 1 && poll.value <= now + 1,
          `${key}: ${JSON.stringify(poll)} (process started at ${started})`,
        );
      }
      // The scrape came first: ClickHouse may have kept another exception since, never fewer
      // (it keeps the latest ones, a bounded list).
      const keptExceptions = read(text, 'kafkaEngineRecentExceptions')[0]?.value;
      assert.ok(
        keptExceptions !== undefined && keptExceptions <= (direct[0]?.exception_texts.length ?? -1),
        `kept exceptions: /metrics ${keptExceptions}, system.kafka_consumers ${direct[0]?.exception_texts.length}`,
      );
      // Everything committed: nothing read past the committed offsets, per partition.
      assert.deepEqual(
        read(text, 'kafkaEngineUncommitted').map((s) => s.value),
        Array.from({ length: PARTITIONS }, () => 0),
      );
    } finally {
      await engine.stop(30_000);
      await dropPipelineWhenIdle(clickhouse, objects);
    }
  });
});
