import type { MetricSpec } from './metric-spec.ts';

/** ClickHouse health, from the worker's probe. */
export const CLICKHOUSE_METRICS = {
  clickhouseUp: {
    name: 'hanzo_ingest_clickhouse_up',
    kind: 'gauge',
    help: '1 when the last probe of ClickHouse succeeded, else 0',
    labels: [],
  },
  clickhouseActiveParts: {
    name: 'hanzo_ingest_clickhouse_active_parts',
    kind: 'gauge',
    help: 'Active data parts of the events table (system.parts; HIP-47 alerts above 300)',
    labels: ['database', 'table'],
  },
  clickhouseMaxPartsPerPartition: {
    name: 'hanzo_ingest_clickhouse_max_parts_per_partition',
    kind: 'gauge',
    help: "Active parts in the events table's fullest partition (inserts fail at parts_to_throw_insert)",
    labels: ['database', 'table'],
  },
  clickhouseReplicaDelay: {
    name: 'hanzo_ingest_clickhouse_replica_delay_seconds',
    kind: 'gauge',
    help: 'Largest replication delay of a replicated table in the database (system.replicas; 0 when none is replicated)',
    labels: ['database'],
  },
} as const satisfies Record<string, MetricSpec>;
