import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Registry } from 'prom-client';
import { partitionLag, type GroupLag } from '../../../src/consume/lag-reader.ts';
import {
  createKafkaEngineMetrics,
  KAFKA_ENGINE_METRIC_KEYS,
  kafkaEngineSamples,
} from '../../../src/kafka-engine/lag/kafka-engine-metrics.ts';
import {
  toKafkaConsumerRow,
  type RawKafkaConsumerRow,
} from '../../../src/kafka-engine/lag/read-kafka-consumers.ts';
import { summarizeKafkaEngineLag } from '../../../src/kafka-engine/lag/summarize-kafka-engine-lag.ts';
import { METRICS } from '../../../src/observe/metric-names.ts';

const TABLE = 'default.events_kafka';

/**
 * Rows of read-kafka-consumers.ts's query. The first is a real one from the local stack
 * (chDB's ClickHouse 26.7 running the engine: test/integration/kafka-engine/kafka-engine-metrics,
 * topic renamed), whose HTTP server writes 64-bit integers unquoted; the second is shaped as
 * a ClickHouse server writes it (64-bit integers quoted) for a consumer that failed to
 * connect: no assignment, exceptions, never polled.
 */
const CHDB_ROW: RawKafkaConsumerRow = {
  consumer_id: 'hanzo-ingest-f2f43901-d912-4c34-92f8-c250835aa2dc',
  topics: ['hanzo_events', 'hanzo_events', 'hanzo_events'],
  partitions: [0, 1, 2],
  offsets: [200, 200, 200],
  exception_times: [],
  exception_texts: [],
  num_messages_read: 600,
  num_commits: 1,
  last_poll_time: 1795284964,
  last_commit_time: 1795284965,
  last_rebalance_time: 0,
  num_rebalance_assignments: 1,
  num_rebalance_revocations: 0,
  is_currently_used: 1,
};
const SERVER_ROW: RawKafkaConsumerRow = {
  consumer_id: 'ClickHouse-ch1-default-events_kafka-1',
  topics: [],
  partitions: [],
  offsets: [],
  exception_times: [1795285010, 1795285000],
  exception_texts: ['Local: All broker connections are down', 'Local: Broker transport failure'],
  num_messages_read: '0',
  num_commits: '0',
  last_poll_time: 0,
  last_commit_time: 0,
  last_rebalance_time: 1795284990,
  num_rebalance_assignments: '2',
  num_rebalance_revocations: '2',
  is_currently_used: 0,
};

/** The broker side: partitions 0–2 committed at 200 of 200; partition 3 (new) at 0 of 50. */
function groupLag(): GroupLag {
  const partitions = [
    ...[0, 1, 2].map((p) =>
      partitionLag('hanzo_events', p, { logStart: 0n, logEnd: 200n, committed: 180n }, true),
    ),
    partitionLag('hanzo_events', 3, { logStart: 0n, logEnd: 50n, committed: undefined }, true),
  ];
  return {
    groupId: 'hanzo-ingest',
    state: 'Stable',
    members: 1,
    partitions,
    totalLag: partitions.reduce((n, p) => n + p.lag, 0n),
    readAtMs: 1_795_285_011_000,
  };
}

describe('Kafka-engine consumer metrics (system.kafka_consumers → /metrics)', () => {
  const lag = summarizeKafkaEngineLag(groupLag(), [CHDB_ROW, SERVER_ROW].map(toKafkaConsumerRow));

  test('rows as the query returns them, quoted or not, become typed consumer rows', () => {
    const [chdb, server] = [CHDB_ROW, SERVER_ROW].map(toKafkaConsumerRow);
    assert.deepEqual(chdb?.assignments[2], {
      topic: 'hanzo_events',
      partition: 2,
      currentOffset: 200n,
    });
    assert.equal(chdb?.messagesRead, 600);
    assert.equal(chdb?.isCurrentlyUsed, true);
    assert.deepEqual(
      [server?.rebalanceAssignments, server?.rebalanceRevocations, server?.isCurrentlyUsed],
      [2, 2, false],
    );
    assert.deepEqual(server?.exceptions[0], {
      atSeconds: 1795285010,
      text: 'Local: All broker connections are down',
    });
  });

  test('every figure maps to its metric and labels', () => {
    const samples = kafkaEngineSamples(TABLE, lag);
    const byMetric = (metric: string): [string, number][] =>
      samples
        .filter((s) => s.metric === metric)
        .map((s) => [Object.values(s.labels).slice(1).join(' '), s.value]);
    const [a, b] = [CHDB_ROW.consumer_id, SERVER_ROW.consumer_id];
    assert.deepEqual(byMetric('kafkaEngineConsumers'), [['', 2]]);
    // Partition 3 is held by no consumer.
    assert.deepEqual(byMetric('kafkaEngineUnassignedPartitions'), [['', 1]]);
    // Read to 200, committed 180: 20 in flight on each of 0–2.
    assert.deepEqual(byMetric('kafkaEngineUncommitted'), [
      ['hanzo_events 0', 20],
      ['hanzo_events 1', 20],
      ['hanzo_events 2', 20],
      ['hanzo_events 3', 0],
    ]);
    assert.deepEqual(byMetric('kafkaEngineAssignedPartitions'), [
      [a, 3],
      [b, 0],
    ]);
    assert.deepEqual(byMetric('kafkaEngineMessagesRead'), [
      [a, 600],
      [b, 0],
    ]);
    assert.deepEqual(byMetric('kafkaEngineCommits'), [
      [a, 1],
      [b, 0],
    ]);
    assert.deepEqual(byMetric('kafkaEngineRebalances'), [
      [`${a} assigned`, 1],
      [`${a} revoked`, 0],
      [`${b} assigned`, 2],
      [`${b} revoked`, 2],
    ]);
    assert.deepEqual(byMetric('kafkaEngineLastPoll'), [
      [a, 1795284964],
      [b, 0],
    ]);
    assert.deepEqual(byMetric('kafkaEngineLastCommit'), [
      [a, 1795284965],
      [b, 0],
    ]);
    // The newest by time, whatever the list's order.
    assert.deepEqual(byMetric('kafkaEngineLastException'), [
      [a, 0],
      [b, 1795285010],
    ]);
    assert.deepEqual(byMetric('kafkaEngineRecentExceptions'), [
      [a, 0],
      [b, 2],
    ]);
    assert.deepEqual(byMetric('kafkaEngineConsumerInUse'), [
      [a, 1],
      [b, 0],
    ]);
    assert.deepEqual(
      [...new Set(samples.map((s) => s.metric))].sort(),
      [...KAFKA_ENGINE_METRIC_KEYS].sort(),
      'every exported metric has a value',
    );
    for (const s of samples) {
      assert.deepEqual(Object.keys(s.labels), METRICS[s.metric].labels, s.metric);
    }
    assert.match(lag.exceptions[0] ?? '', /^ClickHouse-ch1-.* at 2026-.*All broker connections/);
  });

  test('a registry shows the latest read only: counters carry ClickHouse’s totals', async () => {
    const registry = new Registry();
    const metrics = createKafkaEngineMetrics(registry);
    metrics.record(TABLE, lag);
    metrics.record(TABLE, summarizeKafkaEngineLag(groupLag(), [toKafkaConsumerRow(CHDB_ROW)]));
    const text = await registry.metrics();
    assert.match(text, /# TYPE hanzo_ingest_kafka_engine_messages_read_total counter/);
    assert.match(
      text,
      /hanzo_ingest_kafka_engine_messages_read_total\{table="default.events_kafka",consumer="hanzo-ingest-f2f43901-[^"]+"\} 600\n/,
    );
    assert.match(text, /hanzo_ingest_kafka_engine_consumers\{table="default.events_kafka"\} 1\n/);
    assert.doesNotMatch(text, /ClickHouse-ch1/, 'the consumer gone from the table is gone here');
  });
});
