import type { Counter, Gauge, Registry } from 'prom-client';
import { METRICS, type MetricKey } from '../../observe/metric-names.ts';
import { counterOf, gaugeOf } from '../../observe/prom.ts';
import type { KafkaEngineLag } from './summarize-kafka-engine-lag.ts';

/** The series of system.kafka_consumers the Kafka-engine mode exports. */
export const KAFKA_ENGINE_METRIC_KEYS = [
  'kafkaEngineConsumers',
  'kafkaEngineUnassignedPartitions',
  'kafkaEngineUncommitted',
  'kafkaEngineAssignedPartitions',
  'kafkaEngineMessagesRead',
  'kafkaEngineCommits',
  'kafkaEngineRebalances',
  'kafkaEngineLastPoll',
  'kafkaEngineLastCommit',
  'kafkaEngineLastException',
  'kafkaEngineRecentExceptions',
  'kafkaEngineConsumerInUse',
] as const satisfies readonly MetricKey[];
export type KafkaEngineMetricKey = (typeof KAFKA_ENGINE_METRIC_KEYS)[number];

export interface KafkaEngineSample {
  readonly metric: KafkaEngineMetricKey;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** The metric values of one lag read of the Kafka table `table` (`database.table`). Pure. */
export function kafkaEngineSamples(table: string, lag: KafkaEngineLag): KafkaEngineSample[] {
  const samples: KafkaEngineSample[] = [
    { metric: 'kafkaEngineConsumers', labels: { table }, value: lag.consumers },
    {
      metric: 'kafkaEngineUnassignedPartitions',
      labels: { table },
      value: lag.unassigned.length,
    },
  ];
  for (const p of lag.partitions) {
    samples.push({
      metric: 'kafkaEngineUncommitted',
      labels: { table, topic: p.topic, partition: String(p.partition) },
      value: Number(p.inFlight),
    });
  }
  for (const c of lag.consumerFigures) {
    const labels = { table, consumer: c.consumerId };
    samples.push(
      { metric: 'kafkaEngineAssignedPartitions', labels, value: c.assignedPartitions },
      { metric: 'kafkaEngineMessagesRead', labels, value: c.messagesRead },
      { metric: 'kafkaEngineCommits', labels, value: c.commits },
      {
        metric: 'kafkaEngineRebalances',
        labels: { ...labels, event: 'assigned' },
        value: c.rebalanceAssignments,
      },
      {
        metric: 'kafkaEngineRebalances',
        labels: { ...labels, event: 'revoked' },
        value: c.rebalanceRevocations,
      },
      { metric: 'kafkaEngineLastPoll', labels, value: c.lastPollSeconds },
      { metric: 'kafkaEngineLastCommit', labels, value: c.lastCommitSeconds },
      { metric: 'kafkaEngineLastException', labels, value: c.lastExceptionSeconds },
      { metric: 'kafkaEngineRecentExceptions', labels, value: c.recentExceptions },
      { metric: 'kafkaEngineConsumerInUse', labels, value: c.inUse ? 1 : 0 },
    );
  }
  return samples;
}

export interface KafkaEngineMetrics {
  /** Replaces every Kafka-engine series with the figures of a fresh read. */
  record(table: string, lag: KafkaEngineLag): void;
}

/**
 * The Kafka-engine consumers as Prometheus series. ClickHouse keeps the counts (messages
 * read, commits, rebalances); they are copied into counters by resetting and re-adding on
 * each read, synchronously, so a scrape never sees a half-written set and a consumer that
 * disappeared leaves no stale series.
 */
export function createKafkaEngineMetrics(registry: Registry): KafkaEngineMetrics {
  const series = new Map<KafkaEngineMetricKey, Counter | Gauge>(
    KAFKA_ENGINE_METRIC_KEYS.map((key) => {
      const spec = METRICS[key];
      return [key, spec.kind === 'counter' ? counterOf(registry, spec) : gaugeOf(registry, spec)];
    }),
  );
  return {
    record(table, lag) {
      for (const metric of series.values()) metric.reset();
      for (const { metric, labels, value } of kafkaEngineSamples(table, lag)) {
        const target = series.get(metric);
        if (target === undefined) continue;
        if ('set' in target) target.set(labels, value);
        else target.inc(labels, value);
      }
    },
  };
}
