import type { Config } from '../config/schema.ts';
import { createKafka } from '../consume/create-kafka.ts';
import type { TeamRetention } from '../enrich/retention/create-team-retention.ts';
import { schemaTargetOf } from '../migrate/migrate-from-config.ts';
import type { Logger } from '../log/logger.ts';
import { createMetricsRegistry } from '../observe/prom.ts';
import { createClickHouseClient } from '../sink/create-clickhouse-client.ts';
import { applyKafkaEngine, kafkaEnginePipelineExists } from './apply-kafka-engine.ts';
import { checkAgainstTopicFiles } from './check-topic-files.ts';
import { readGeoNetworks } from './geo/geo-networks.ts';
import { csvGeoSource } from './geo/geo-source.ts';
import { takeOverGroup } from './handover/take-over-group.ts';
import { exportKafkaEngineLag } from './lag/export-kafka-engine-lag.ts';
import { kafkaEngineObjects } from './object-names.ts';
import { kafkaEngineOptions } from './options.ts';
import { loadPricingTables } from './pricing/load-pricing-tables.ts';
import type { PricingTables } from './pricing/pricing-tables.ts';
import {
  applyTeamRetentionDictionary,
  syncTeamRetention,
} from './retention/team-retention-dictionary.ts';

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
      await takeOverGroup(config, objects, clickhouse, admin, log);
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
    await exportKafkaEngineLag(config, objects, clickhouse, admin, log, signal, registry);
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
