import type { Registry } from 'prom-client';
import type { Config } from '../config/schema.ts';
import type { ClickHouseProbe, TableHealth } from './clickhouse-probe.ts';
import { memoryLimitBytes } from './memory-limit.ts';
import { METRICS, type MetricSpec } from './metric-names.ts';
import { collectedGaugeOf, gaugeOf } from './prom.ts';
import { packageVersion } from './worker-info.ts';

/**
 * The gauges read at scrape time from the process around the worker: ClickHouse up and its
 * table health (from the probe), readiness, the memory limit, and who this worker is.
 */
export function registerServiceGauges(
  registry: Registry,
  config: Readonly<Config>,
  probe: ClickHouseProbe,
  ready: () => boolean,
): void {
  const { database, table } = config.clickhouse;
  gaugeOf(registry, METRICS.clickhouseUp, () => (probe.up ? 1 : 0));
  // Table health appears once it was read (a scrape before the first read shows none).
  const tableGauge = (
    spec: MetricSpec,
    labels: Record<string, string>,
    pick: (h: TableHealth) => number,
  ): void => {
    collectedGaugeOf(registry, spec, (gauge) => {
      const health = probe.tableHealth;
      if (health !== undefined) gauge.set(labels, pick(health));
    });
  };
  tableGauge(METRICS.clickhouseActiveParts, { database, table }, (h) => h.activeParts);
  tableGauge(
    METRICS.clickhouseMaxPartsPerPartition,
    { database, table },
    (h) => h.maxPartsPerPartition,
  );
  tableGauge(METRICS.clickhouseReplicaDelay, { database }, (h) => h.replicaDelaySeconds);
  gaugeOf(registry, METRICS.ready, () => (ready() ? 1 : 0));
  gaugeOf(registry, METRICS.memoryLimit).set(memoryLimitBytes());
  gaugeOf(registry, METRICS.workerInfo).set(
    { worker_id: config.workerId, version: packageVersion() },
    1,
  );
}
