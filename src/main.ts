import { assertBudgetFitsHeap } from './config/heap-room.ts';
import { loadConfig } from './config/load-config.ts';
import type { Config } from './config/schema.ts';
import { watchDecompressFailures } from './consume/compression/register-compression-codecs.ts';
import { createKafka } from './consume/create-kafka.ts';
import { maskSecrets } from './config/print-config.ts';
import { createEnrichment } from './enrich/create-enrichment.ts';
import type { EnrichStage } from './enrich/enrich-stage.ts';
import { createTeamRetention } from './enrich/retention/create-team-retention.ts';
import { createLogger, type Logger } from './log/logger.ts';
import { Observability } from './observe/observability.ts';
import { createMigrationClient, schemaTargetOf } from './migrate/migrate-from-config.ts';
import { migrateUp } from './migrate/run-migrations.ts';
import { createClickHouseClient } from './sink/create-clickhouse-client.ts';
import { IngestWorker } from './worker/ingest-worker.ts';
import { errorMessage } from './errors.ts';
import {
  assertNoKafkaEnginePipeline,
  runKafkaEngineMode,
} from './kafka-engine/run-kafka-engine-mode.ts';

/** The one place that wires the pieces together for `hanzo-ingest run`. */
export function createWorker(
  config: Readonly<Config>,
  logger: Logger,
  observability?: Observability,
  enrich?: EnrichStage,
): IngestWorker {
  return new IngestWorker(config, {
    kafka: createKafka(config.kafka, logger.child({ component: 'kafka' })),
    clickhouse: createClickHouseClient(config.clickhouse, config.insert, logger),
    logger,
    ...(observability === undefined ? {} : { metrics: observability.metrics }),
    ...(enrich === undefined ? {} : { enrich }),
  });
}

/**
 * Applies pending schema migrations when asked to (CLICKHOUSE_MIGRATE_ON_START). Workers
 * starting together are safe: the migrator's lock lets one apply, the others wait and find
 * nothing left to do.
 */
export async function prepareClickHouse(config: Readonly<Config>, logger: Logger): Promise<void> {
  const client = createMigrationClient(config.clickhouse, logger);
  try {
    const ping = await client.ping();
    if (!ping.success) throw ping.error;
    // /ping does not authenticate: a wrong user or password must stop start-up here, not
    // surface later as inserts retried forever.
    await (await client.query({ query: 'SELECT 1', format: 'JSONEachRow' })).json();
    if (config.clickhouse.migrateOnStart) {
      const result = await migrateUp(client, {
        ...schemaTargetOf(config.clickhouse),
        owner: config.workerId,
        logger: logger.child({ component: 'migrate' }),
      });
      logger.info(
        { database: config.clickhouse.database, applied: result.migrations },
        'schema up to date',
      );
    }
  } finally {
    await client.close();
  }
}

/**
 * Runs a worker until SIGTERM/SIGINT (graceful drain, exit 0) or a fatal error (exit 1).
 * A second signal exits at once: nothing uncommitted was acknowledged, so nothing is lost.
 */
export async function runWorker(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const config = loadConfig({ env });
  const logger = createLogger(config.logLevel, config.workerId);
  logger.info({ config: maskSecrets(config) }, 'configuration');
  if (config.mode === 'kafka-engine') return runKafkaEngineMode(config, logger, prepareClickHouse);
  assertBudgetFitsHeap(config.maxBufferedBytes);
  // Metrics, /healthz and /readyz come up first: probes get answers during start-up too.
  const observability = new Observability(config, logger);
  // kafkajs retries such a fetch quietly (and restarts the consumer after its retries):
  // every failure is counted and logged here.
  const decompressLog = logger.child({ component: 'decompress' });
  watchDecompressFailures((error) => {
    observability.metrics.decompressFailed(error.codec);
    decompressLog.error(
      { codec: error.codec, err: error.message },
      'cannot decompress a fetched record batch; the fetch is retried',
    );
  });
  // Geo databases, prices and the overrides file load (and are checked) before anything starts.
  const enrichment = await createEnrichment(config.enrich, {
    logger,
    counters: observability.enrichCounters,
  });
  // Per-team retention (team_settings in PostgreSQL): a row's retention_months after enrichment.
  const retention = await createTeamRetention(config.teamSettings, {
    logger,
    registry: observability.registry,
  }).catch((err: unknown) => {
    enrichment.close();
    throw err;
  });
  const stage: EnrichStage =
    retention === undefined
      ? enrichment.stage
      : (event) => {
          enrichment.stage(event);
          retention.stage(event);
        };
  try {
    return await runUntilStopped(config, logger, observability, stage);
  } finally {
    // Its geo-database watchers would otherwise keep a failed start-up alive.
    enrichment.close();
    retention?.close();
  }
}

async function runUntilStopped(
  config: Config,
  logger: Logger,
  observability: Observability,
  enrich: EnrichStage,
): Promise<number> {
  const worker = createWorker(config, logger, observability, enrich);
  await observability.start(worker);
  try {
    await prepareClickHouse(config, logger);
    await assertNoKafkaEnginePipeline(config, logger);
  } catch (err) {
    await observability.stop();
    throw err;
  }
  let signals = 0;
  let signalled = (): void => undefined;
  const signalReceived = new Promise<void>((resolve) => {
    signalled = resolve;
  });
  const stopped = new Promise<number>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      signals++;
      signalled();
      if (signals > 1) {
        logger.warn({ signal }, 'second signal: exiting now');
        process.exit(130);
      }
      logger.info({ signal }, 'draining');
      // Disconnecting can hang on a dead broker: the deadline holds whatever happens.
      const hardStop = setTimeout(() => {
        logger.error('drain deadline passed; exiting');
        resolve(1);
      }, config.shutdownTimeoutMs + 10_000);
      hardStop.unref();
      worker.stop().then(
        () => resolve(0),
        (err: unknown) => {
          logger.error({ err }, 'error while stopping');
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  const failed = worker.failed().catch((err: unknown) => {
    logger.fatal({ err: errorMessage(err) }, 'worker failed');
    return worker.stop(5_000).then(
      () => 1,
      () => 1,
    );
  });
  const starting = worker.start();
  // Once a signal came, how start ends is the drain's business: stop() waits for it within
  // the deadline. Awaiting it here instead held the exit until kafkajs gave up on a join the
  // coordinator kept waiting (its request timeout, far past SHUTDOWN_TIMEOUT_MS).
  starting.catch(() => undefined);
  try {
    await Promise.race([starting, signalReceived]);
  } catch (err) {
    // A start cut short by SIGTERM (the drain disconnects what start was connecting) is a
    // stop, not a failure: `stopped` tells how it ended.
    if (signals === 0) {
      await observability.stop();
      throw err;
    }
  }
  const code = await Promise.race([stopped, failed]);
  await observability.stop(); // after the drain: scrapes and probes answer until then
  return code;
}
