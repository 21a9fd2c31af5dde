import { loadConfig } from './config/load-config.ts';
import type { Config } from './config/schema.ts';
import { createKafka } from './consume/create-kafka.ts';
import { createLogger, type Logger } from './observe/logger.ts';
import { createEventsTableSql } from './schema/events-table.ts';
import { createClickHouseClient } from './sink/create-clickhouse-client.ts';
import { IngestWorker } from './worker/ingest-worker.ts';
import { errorMessage } from './errors.ts';

/** The one place that wires the pieces together for `hanzo-ingest run`. */
export function createWorker(config: Readonly<Config>, logger: Logger): IngestWorker {
  return new IngestWorker(config, {
    kafka: createKafka(config.kafka, logger.child({ component: 'kafka' })),
    clickhouse: createClickHouseClient(config.clickhouse, config.insert),
    logger,
  });
}

/** Creates the events table when asked to (CLICKHOUSE_MIGRATE_ON_START). */
export async function prepareClickHouse(config: Readonly<Config>, logger: Logger): Promise<void> {
  const client = createClickHouseClient(config.clickhouse, config.insert);
  try {
    const ping = await client.ping();
    if (!ping.success) throw ping.error;
    if (config.clickhouse.migrateOnStart) {
      await client.command({
        query: createEventsTableSql({
          database: config.clickhouse.database,
          table: config.clickhouse.table,
        }),
      });
      logger.info(
        { table: `${config.clickhouse.database}.${config.clickhouse.table}` },
        'events table ready',
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
  await prepareClickHouse(config, logger);
  const worker = createWorker(config, logger);
  let signals = 0;
  const stopped = new Promise<number>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      signals++;
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
  await worker.start();
  return Promise.race([stopped, failed]);
}
