import { existsSync } from 'node:fs';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Admin } from 'kafkajs';
import type { Config } from '../config/schema.ts';
import { createKafka } from '../consume/create-kafka.ts';
import { readGroupLag } from '../consume/lag-reader.ts';
import { ConfigError, errorMessage } from '../errors.ts';
import { DEFAULT_TOPICS_DIR, loadTopicDefinitions } from '../topics/load-topic-definitions.ts';
import { schemaTargetOf } from '../migrate/migrate-from-config.ts';
import { EventLoopWatch } from '../observe/event-loop-watch.ts';
import { evaluateHealth, type Verdict } from '../observe/health-checks.ts';
import { createLagMetrics, type LagMetrics } from '../observe/lag-metrics.ts';
import type { Logger } from '../observe/logger.ts';
import { MetricsServer } from '../observe/metrics-server.ts';
import { createMetricsRegistry } from '../observe/prom.ts';
import { createClickHouseClient } from '../sink/create-clickhouse-client.ts';
import { applyKafkaEngine, kafkaEnginePipelineExists } from './apply-kafka-engine.ts';
import { checkTopicDefinitions } from './check-topic-definitions.ts';
import { readGeoNetworks } from './geo/geo-networks.ts';
import { csvGeoSource } from './geo/geo-source.ts';
import { handOverOffsets } from './handover/hand-over-offsets.ts';
import { kafkaEngineObjects, type KafkaEngineObjects } from './object-names.ts';
import { kafkaEngineOptions } from './options.ts';
import { createKafkaEngineMetrics } from './lag/kafka-engine-metrics.ts';
import { readKafkaConsumers } from './lag/read-kafka-consumers.ts';
import { summarizeKafkaEngineLag, type KafkaEngineLag } from './lag/summarize-kafka-engine-lag.ts';
import type { PricingTables } from './pricing/pricing-tables.ts';
import { loadPricingTables } from './pricing/load-pricing-tables.ts';
import {
  applyTeamRetentionDictionary,
  syncTeamRetention,
} from './retention/team-retention-dictionary.ts';
import type { TeamRetention } from '../enrich/retention/create-team-retention.ts';
import type { Registry } from 'prom-client';

/** How long a first start waits for the worker-mode members to leave the group. */
export const HANDOVER_WAIT_MS = 120_000;

/**
 * `hanzo-ingest run` with `mode: kafka-engine`: ClickHouse consumes; this process applies
 * the Kafka-engine DDL (taking over from worker mode at the group's committed offsets on the
 * first start), then exports the lag until SIGTERM/SIGINT. Stopping it leaves the pipeline
 * running — ClickHouse keeps consuming; `hanzo-ingest kafka-engine stop` ends it.
 */
export async function runKafkaEngine(
  config: Readonly<Config>,
  logger: Logger,
  signal: AbortSignal,
): Promise<number> {
  const log = logger.child({ component: 'kafka-engine' });
  const pricing = config.enrich.llmCost.enabled ? await loadPricing(log) : undefined;
  const options = kafkaEngineOptions(config, pricing);
  const objects = kafkaEngineObjects(schemaTargetOf(config.clickhouse));
  checkAgainstTopicFiles(config, log);
  for (const difference of options.differences)
    log.info({ difference }, 'kafka-engine mode differs from worker mode');
  const geo =
    options.geoNetworksFile === undefined
      ? undefined
      : csvGeoSource(readGeoNetworks(options.geoNetworksFile), options.geoNetworksFile);

  const clickhouse = createClickHouseClient(
    config.clickhouse,
    { ...config.insert, timeoutMs: 600_000 },
    logger,
  );
  const admin = createKafka(config.kafka, logger.child({ component: 'kafka' })).admin();
  const auth = { user: config.clickhouse.username, password: config.clickhouse.password };
  let retention: TeamRetention | undefined;
  await admin.connect();
  try {
    if (!(await kafkaEnginePipelineExists(clickhouse, objects))) {
      await takeOver(config, objects, clickhouse, admin, log);
    }
    const registry = createMetricsRegistry(config.kafka.groupId);
    // Settings in the dictionary's table before the pipeline (re)starts reading it.
    if (options.teamRetention) await applyTeamRetentionDictionary(clickhouse, objects, auth);
    retention = options.teamRetention
      ? await syncTeamRetention(clickhouse, objects, config.teamSettings, { logger, registry })
      : undefined;
    const result = await applyKafkaEngine(clickhouse, {
      objects,
      options,
      auth,
      pricing,
      geo,
      owner: config.workerId,
      logger: log,
    });
    log.info(
      { ...result, kafkaTable: objects.kafkaTable, events: objects.eventsTable },
      'kafka-engine pipeline ready',
    );
    await exportLag(config, objects, clickhouse, admin, log, signal, registry);
    return 0;
  } finally {
    retention?.close();
    await admin.disconnect().catch(() => undefined);
    await clickhouse.close();
  }
}

async function loadPricing(log: Logger): Promise<PricingTables> {
  const tables = await loadPricingTables();
  if (tables.inexpressible.length > 0) {
    log.warn(
      { rules: tables.inexpressible },
      'pricing match rules SQL cannot evaluate (their exact model names still price)',
    );
  }
  return tables;
}

/** First start of the pipeline: the workers must be gone and the offsets right. */
async function takeOver(
  config: Readonly<Config>,
  objects: KafkaEngineObjects,
  clickhouse: ClickHouseClient,
  admin: Admin,
  log: Logger,
): Promise<void> {
  const plan = await handOverOffsets(
    {
      admin,
      clickhouse,
      groupId: config.kafka.groupId,
      topics: config.kafka.topics,
      landedTables: [objects.eventsTable, objects.errorsTable],
      log: (fields, message) => log.warn(fields, message),
    },
    { waitMs: HANDOVER_WAIT_MS },
  );
  log.info(
    { groupId: config.kafka.groupId, moved: plan.moves.length },
    'taking over the consumer group at its committed offsets',
  );
}

/**
 * Reads the lag (broker offsets and system.kafka_consumers) every observe.lagRefreshMs until
 * `signal`, exported as metrics; serves /metrics, /healthz, /readyz.
 */
async function exportLag(
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
  const state: {
    lastOkAt: number | undefined;
    lastError: string | undefined;
    latest: KafkaEngineLag | undefined;
  } = {
    lastOkAt: undefined,
    lastError: undefined,
    latest: undefined,
  };
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

function kafkaEngineReadiness(
  state: {
    lastOkAt: number | undefined;
    lastError: string | undefined;
    latest: KafkaEngineLag | undefined;
  },
  boundMs: number,
): Verdict {
  const age = state.lastOkAt === undefined ? Infinity : Date.now() - state.lastOkAt;
  const fresh = age <= boundMs;
  const latest = state.latest;
  const checks = {
    lag: {
      ok: fresh,
      detail: fresh
        ? `lag ${latest?.totalLag.toString() ?? '?'} read ${Math.round(age / 1000)} s ago`
        : (state.lastError ?? 'no lag read yet'),
    },
    consumers: {
      ok: latest !== undefined && latest.consumers > 0,
      detail:
        latest === undefined
          ? 'unknown'
          : `${latest.consumers} engine consumer(s), ${latest.unassigned.length} partition(s) unassigned${latest.exceptions.length > 0 ? `; last error: ${latest.exceptions[0] ?? ''}` : ''}`,
    },
  };
  return { status: checks.lag.ok && checks.consumers.ok ? 'ok' : 'unavailable', checks };
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

/** The topic files (topics/, when present) must agree with what is consumed. */
function checkAgainstTopicFiles(config: Readonly<Config>, log: Logger): void {
  if (!existsSync(DEFAULT_TOPICS_DIR)) return;
  const { topics } = loadTopicDefinitions(DEFAULT_TOPICS_DIR);
  const { errors, warnings } = checkTopicDefinitions(topics, {
    topics: config.kafka.topics,
    table: config.clickhouse.table,
  });
  for (const warning of warnings) log.warn({ warning }, 'topic file and configuration differ');
  if (errors.length > 0) throw new ConfigError(errors);
}
