import type { SettingIssue } from './tls-setting-issues.ts';

/** The settings the relations below read (a slice of Config, so this file needs no schema). */
export interface RelatedLimits {
  readonly maxBufferedBytes: number;
  readonly kafka: {
    readonly rebalanceTimeoutMs: number;
    readonly sessionTimeoutMs: number;
    readonly heartbeatIntervalMs: number;
    readonly fetchMaxBytes: number;
    readonly fetchMaxBytesPerPartition: number;
  };
  readonly clickhouse: { readonly cluster: string; readonly distributed: boolean };
  readonly insert: {
    readonly timeoutMs: number;
    readonly retryInitialMs: number;
    readonly retryMaxMs: number;
  };
  readonly batch: { readonly maxBytes: number };
}

/**
 * Settings that are each valid alone but contradict one another; every issue names the
 * setting to change.
 */
export function limitRelationIssues(c: RelatedLimits): SettingIssue[] {
  const issues: SettingIssue[] = [];
  if (c.clickhouse.distributed && c.clickhouse.cluster === '') {
    issues.push({
      path: ['clickhouse', 'distributed'],
      message: 'needs clickhouse.cluster (Distributed tables span a cluster)',
    });
  }
  // Heartbeats keep flowing while inserts run (partitions pause, the handler never blocks),
  // but an insert attempt must still finish inside one rebalance window so a revoked
  // partition is released in time.
  if (c.insert.timeoutMs >= c.kafka.rebalanceTimeoutMs) {
    issues.push({
      path: ['insert', 'timeoutMs'],
      message: `must be below kafka.rebalanceTimeoutMs (${c.kafka.rebalanceTimeoutMs})`,
    });
  }
  if (c.kafka.heartbeatIntervalMs * 3 > c.kafka.sessionTimeoutMs) {
    issues.push({
      path: ['kafka', 'heartbeatIntervalMs'],
      message: `must be at most a third of kafka.sessionTimeoutMs (${c.kafka.sessionTimeoutMs})`,
    });
  }
  if (c.insert.retryInitialMs > c.insert.retryMaxMs) {
    issues.push({
      path: ['insert', 'retryInitialMs'],
      message: 'must not exceed insert.retryMaxMs',
    });
  }
  if (c.batch.maxBytes * 2 > c.maxBufferedBytes) {
    issues.push({
      path: ['maxBufferedBytes'],
      message: `must hold at least two batches (2 × batch.maxBytes = ${c.batch.maxBytes * 2})`,
    });
  }
  if (c.kafka.fetchMaxBytesPerPartition > c.kafka.fetchMaxBytes) {
    issues.push({
      path: ['kafka', 'fetchMaxBytesPerPartition'],
      message: 'must not exceed kafka.fetchMaxBytes',
    });
  }
  return issues;
}
