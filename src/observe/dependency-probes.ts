import type { Config } from '../config/schema.ts';
import { createKafka } from '../consume/create-kafka.ts';
import { LagPoller } from '../consume/lag-poller.ts';
import { transitionLogger } from '../log/transition-logger.ts';
import { createClickHouseClient } from '../sink/create-clickhouse-client.ts';
import { ClickHouseProbe } from './clickhouse-probe.ts';
import type { LagMetrics } from './lag-metrics.ts';
import type { Logger } from '../log/logger.ts';

/** Reads the group's lag from the brokers every observe.lagRefreshMs, into `lagMetrics`. */
export function createLagPoller(
  config: Readonly<Config>,
  logger: Logger,
  lagMetrics: LagMetrics,
): LagPoller {
  const lagLog = logger.child({ component: 'lag' });
  const lagFailures = transitionLogger(lagLog, 'reading consumer lag from the brokers');
  return new LagPoller({
    admin: createKafka(config.kafka, lagLog).admin(),
    groupId: config.kafka.groupId,
    topics: config.kafka.topics,
    fromBeginning: config.kafka.fromBeginning,
    intervalMs: config.observe.lagRefreshMs,
    onLag: (lag) => {
      lagMetrics.record(lag);
      lagFailures.ok();
    },
    onError: (err) => {
      lagMetrics.failed();
      lagFailures.failed(err);
    },
  });
}

/** Probes ClickHouse (and the events table's part counts) every observe.clickhouseProbeMs. */
export function createClickHouseProbe(config: Readonly<Config>, logger: Logger): ClickHouseProbe {
  const probeFailures = transitionLogger(
    logger.child({ component: 'clickhouse-probe' }),
    'probing ClickHouse',
  );
  const tableHealthFailures = transitionLogger(
    logger.child({ component: 'clickhouse-probe' }),
    'reading part counts (system.parts, system.replicas)',
  );
  return new ClickHouseProbe({
    // Its own single connection: a probe must not queue behind inserts.
    client: createClickHouseClient(
      { ...config.clickhouse, maxOpenConnections: 1, requestCompression: false },
      { ...config.insert, timeoutMs: 10_000 },
      logger,
    ),
    database: config.clickhouse.database,
    table: config.clickhouse.table,
    intervalMs: config.observe.clickhouseProbeMs,
    onSuccess: () => probeFailures.ok(),
    onFailure: (err) => probeFailures.failed(err),
    onTableHealthFailure: (err) => tableHealthFailures.failed(err),
  });
}
