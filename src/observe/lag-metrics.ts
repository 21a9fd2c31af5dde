import type { Registry } from 'prom-client';
import type { GroupLag } from '../consume/lag-reader.ts';
import { METRICS } from './metric-names.ts';
import { counterOf, gaugeOf } from './prom.ts';

export interface LagMetrics {
  /** Replaces the lag series with a fresh read from the brokers. */
  record(lag: GroupLag): void;
  /** A read failed: the previous values stay, the error counter and the timestamp tell. */
  failed(): void;
}

/**
 * Broker-side lag as gauges. Every replica exports the same series (labels group, topic,
 * partition; Prometheus adds instance): dashboards and alerts take `max by (group, topic,
 * partition)`, which stays right while any one replica is up.
 */
export function createLagMetrics(registry: Registry): LagMetrics {
  const lag = gaugeOf(registry, METRICS.consumerLag);
  const logEnd = gaugeOf(registry, METRICS.logEndOffset);
  const committed = gaugeOf(registry, METRICS.committedOffset);
  const members = gaugeOf(registry, METRICS.groupMembers);
  const refreshed = gaugeOf(registry, METRICS.lagRefreshed);
  const errors = counterOf(registry, METRICS.lagRefreshErrors);
  errors.inc(0);
  return {
    record(read) {
      // Synchronous reset-and-set: a scrape never sees a half-written set.
      lag.reset();
      logEnd.reset();
      committed.reset();
      for (const p of read.partitions) {
        const labels = { topic: p.topic, partition: String(p.partition) };
        lag.set(labels, Number(p.lag));
        logEnd.set(labels, Number(p.logEnd));
        if (p.committed !== undefined) committed.set(labels, Number(p.committed));
      }
      members.set(read.members);
      refreshed.set(read.readAtMs / 1000);
    },
    failed() {
      errors.inc();
    },
  };
}
