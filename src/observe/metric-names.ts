import { CLICKHOUSE_METRICS } from './metric-names/clickhouse.ts';
import { CONSUME_METRICS } from './metric-names/consume.ts';
import { DEAD_LETTER_METRICS } from './metric-names/dead-letters.ts';
import { DELIVERY_METRICS } from './metric-names/delivery.ts';
import { ENRICHMENT_METRICS } from './metric-names/enrichment.ts';
import { KAFKA_ENGINE_METRICS } from './metric-names/kafka-engine.ts';
import { LAG_METRICS } from './metric-names/lag.ts';
import type { MetricSpec } from './metric-names/metric-spec.ts';
import { PROCESS_METRICS } from './metric-names/process.ts';

export { GROUP_LABEL, type MetricKind, type MetricSpec } from './metric-names/metric-spec.ts';

/**
 * Every Prometheus metric the worker exports: name, type, labels, help and buckets, in one
 * list, declared by area in metric-names/ (consume, delivery, dead letters, enrichment, lag,
 * Kafka-engine mode, ClickHouse health, the process). The dashboard
 * (docker/grafana/dashboards/hanzo-ingest.json) and the alert rules
 * (docker/prometheus/alerts.yml) query these names; a test checks each of their expressions
 * against a running worker.
 *
 * Every series also carries `group` (the consumer group, a default label of the worker's
 * registry); Prometheus adds `job` and `instance`. Broker-side series (consumer lag, offsets,
 * group members) are exported by every replica with the same labels: dashboards and alerts
 * read them with `max by (group, topic, partition)`.
 *
 * Process metrics (`process_*`, `nodejs_*`) come from prom-client's default collectors.
 */
export const METRICS = {
  ...CONSUME_METRICS,
  ...DELIVERY_METRICS,
  ...DEAD_LETTER_METRICS,
  ...ENRICHMENT_METRICS,
  ...LAG_METRICS,
  ...KAFKA_ENGINE_METRICS,
  ...CLICKHOUSE_METRICS,
  ...PROCESS_METRICS,
} as const satisfies Record<string, MetricSpec>;

export type MetricKey = keyof typeof METRICS;
