import type { MetricSpec } from './metric-spec.ts';

/** Broker-side lag: the same value from every replica, read with max by (group, topic, partition). */
export const LAG_METRICS = {
  consumerLag: {
    name: 'hanzo_ingest_consumer_lag',
    kind: 'gauge',
    help: "Messages between the group's committed offset and the log end, per partition, read from the broker",
    labels: ['topic', 'partition'],
  },
  logEndOffset: {
    name: 'hanzo_ingest_log_end_offset',
    kind: 'gauge',
    help: 'Log-end (high watermark) offset per partition, read from the broker',
    labels: ['topic', 'partition'],
  },
  committedOffset: {
    name: 'hanzo_ingest_committed_offset',
    kind: 'gauge',
    help: "The group's committed offset per partition, read from the broker (absent: never committed)",
    labels: ['topic', 'partition'],
  },
  groupMembers: {
    name: 'hanzo_ingest_consumer_group_members',
    kind: 'gauge',
    help: 'Members of the consumer group, as the group coordinator reports them',
    labels: [],
  },
  lagRefreshed: {
    name: 'hanzo_ingest_lag_refresh_timestamp_seconds',
    kind: 'gauge',
    help: 'Unix time of the last successful read of the broker-side lag',
    labels: [],
  },
  lagRefreshErrors: {
    name: 'hanzo_ingest_lag_refresh_errors_total',
    kind: 'counter',
    help: 'Failed reads of the broker-side lag',
    labels: [],
  },
} as const satisfies Record<string, MetricSpec>;
