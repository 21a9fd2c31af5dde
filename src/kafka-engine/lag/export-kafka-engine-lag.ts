import type { ClickHouseClient } from '@clickhouse/client';
import type { Admin } from 'kafkajs';
import type { Registry } from 'prom-client';
import type { Config } from '../../config/schema.ts';
import { readGroupLag } from '../../consume/lag-reader.ts';
import { errorMessage } from '../../errors.ts';
import { EventLoopWatch } from '../../observe/event-loop-watch.ts';
import { evaluateHealth } from '../../observe/health-checks.ts';
import { createLagMetrics, type LagMetrics } from '../../observe/lag-metrics.ts';
import type { Logger } from '../../log/logger.ts';
import { MetricsServer } from '../../observe/metrics-server.ts';
import type { KafkaEngineObjects } from '../object-names.ts';
import { createKafkaEngineMetrics } from './kafka-engine-metrics.ts';
import { kafkaEngineReadiness, type LagReadState } from './kafka-engine-readiness.ts';
import { readKafkaConsumers } from './read-kafka-consumers.ts';
import { summarizeKafkaEngineLag } from './summarize-kafka-engine-lag.ts';

/**
 * Reads the lag (broker offsets and system.kafka_consumers) every observe.lagRefreshMs until
 * `signal`, exported as metrics; serves /metrics, /healthz, /readyz.
 */
export async function exportKafkaEngineLag(
  config: Readonly<Config>,
  objects: KafkaEngineObjects,
  clickhouse: ClickHouseClient,
  admin: Admin,
  log: Logger,
  signal: AbortSignal,
  registry: Registry,
): Promise<void> {
  const lagMetrics: LagMetrics = createLagMetrics(registry);
  const engineMetrics = createKafkaEngineMetrics(registry);
  const loop = new EventLoopWatch();
  const state: LagReadState = { lastOkAt: undefined, lastError: undefined, latest: undefined };
  const server =
    config.metricsPort === 0
      ? undefined
      : new MetricsServer({
          port: config.metricsPort,
          registry,
          health: () =>
            evaluateHealth({
              now: Date.now(),
              lastTickAt: loop.lastTickAt,
              stallMs: 10_000,
              delayMs: loop.delayMs,
            }),
          readiness: () => kafkaEngineReadiness(state, config.observe.lagRefreshMs * 3),
        });
  const port = await server?.listen();
  if (port !== undefined) log.info({ port }, 'serving /metrics, /healthz and /readyz');
  let reported = '';
  try {
    while (!signal.aborted) {
      try {
        const group = await readGroupLag(admin, {
          groupId: config.kafka.groupId,
          topics: config.kafka.topics,
          fromBeginning: config.kafka.fromBeginning,
        });
        const consumers = await readKafkaConsumers(clickhouse, objects.kafkaTable);
        lagMetrics.record(group);
        state.latest = summarizeKafkaEngineLag(group, consumers);
        engineMetrics.record(objects.kafkaTable, state.latest);
        state.lastOkAt = Date.now();
        state.lastError = undefined;
        const exceptions = state.latest.exceptions.join('\n');
        if (exceptions !== reported) {
          if (exceptions !== '')
            log.warn({ exceptions: state.latest.exceptions }, 'Kafka engine consumer errors');
          reported = exceptions;
        }
      } catch (err) {
        lagMetrics.failed();
        state.lastError = errorMessage(err);
        log.warn({ err: state.lastError }, 'reading kafka-engine lag failed');
      }
      await abortableSleep(config.observe.lagRefreshMs, signal);
    }
  } finally {
    loop.stop();
    await server?.close();
  }
}

async function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
