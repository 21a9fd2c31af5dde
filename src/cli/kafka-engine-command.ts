import type { Command } from 'commander';
import { loadConfig } from '../config/load-config.ts';
import type { Config } from '../config/schema.ts';
import { createKafka } from '../consume/create-kafka.ts';
import { readGroupLag } from '../consume/lag-reader.ts';
import { schemaTargetOf } from '../migrate/migrate-from-config.ts';
import { dropKafkaEnginePipeline } from '../kafka-engine/apply-kafka-engine.ts';
import { dataTableSql, dictionarySql } from '../kafka-engine/dictionary-ddl.ts';
import { geoDdl } from '../kafka-engine/geo/geo-networks.ts';
import { handOverOffsets } from '../kafka-engine/handover/hand-over-offsets.ts';
import { kafkaEngineObjects } from '../kafka-engine/object-names.ts';
import {
  userAgentDictionarySql,
  userAgentTableSql,
} from '../kafka-engine/user-agent/user-agent-ddl.ts';
import { kafkaEngineOptions } from '../kafka-engine/options.ts';
import { loadPricingTables } from '../kafka-engine/pricing/load-pricing-tables.ts';
import { readKafkaConsumers } from '../kafka-engine/lag/read-kafka-consumers.ts';
import { summarizeKafkaEngineLag } from '../kafka-engine/lag/summarize-kafka-engine-lag.ts';
import {
  renderPricingDictionaries,
  renderPricingTables,
} from '../kafka-engine/pricing/render-pricing-ddl.ts';
import { renderKafkaEngineDdl } from '../kafka-engine/render-kafka-engine.ts';
import { createLogger } from '../log/logger.ts';
import { createClickHouseClient } from '../sink/create-clickhouse-client.ts';
import { teamRetentionShape } from '../kafka-engine/retention/team-retention-dictionary.ts';

/**
 * `hanzo-ingest kafka-engine render | stop | status`: the Kafka-engine path's DDL,
 * the switch back to worker mode, and its lag. `run` with INGEST_MODE=kafka-engine applies
 * the DDL (and takes over from worker mode).
 */
export function registerKafkaEngineCommand(program: Command): void {
  const group = program
    .command('kafka-engine')
    .description(
      'ClickHouse Kafka-engine mode: render the DDL, stop it (hand over to workers), lag',
    );

  group
    .command('render')
    .description(
      'print the DDL `run` applies in kafka-engine mode (pricing, geo and user-agent rows not included)',
    )
    .action(async (_: unknown, command: Command) => {
      const config = configOf(command, { kafkaUnused: true });
      const objects = kafkaEngineObjects(schemaTargetOf(config.clickhouse));
      const pricing = config.enrich.llmCost.enabled ? await loadPricingTables() : undefined;
      const options = kafkaEngineOptions(config, pricing);
      // Without KAFKA_BROKERS the DDL names the setting to fill in, as it does the password.
      const kafka =
        options.kafka.brokers.length > 0
          ? options.kafka
          : { ...options.kafka, brokers: ['<KAFKA_BROKERS>'] };
      const ddl = renderKafkaEngineDdl(objects, kafka, options.parse, options.teamRetention);
      const auth = { user: config.clickhouse.username, password: '<CLICKHOUSE_PASSWORD>' };
      const statements = [
        ...(config.enrich.llmCost.enabled
          ? [...renderPricingTables(objects), ...renderPricingDictionaries(objects, auth)]
          : []),
        ...(options.parse.geo ? geoDdl(objects, auth) : []),
        ...(options.parse.userAgent === undefined
          ? []
          : [userAgentTableSql(objects), userAgentDictionarySql(objects, auth)]),
        ...(options.teamRetention
          ? [
              dataTableSql(objects, teamRetentionShape(objects)),
              dictionarySql(objects, teamRetentionShape(objects), auth, 'HASHED()'),
            ]
          : []),
        ddl.errorsTable,
        ...ddl.pipeline,
      ];
      console.log(statements.map((s) => `${s};\n`).join('\n'));
    });

  group
    .command('stop')
    .description(
      'stop ClickHouse consuming (drop the Kafka table and its views; data stays) and hand the group over to worker mode',
    )
    .option('--wait <seconds>', 'how long to wait for the engine to leave the group', '120')
    .action(async (opts: { wait: string }, command: Command) => {
      const config = configOf(command);
      const logger = createLogger(config.logLevel, config.workerId, 'stderr');
      const objects = kafkaEngineObjects(schemaTargetOf(config.clickhouse));
      const clickhouse = createClickHouseClient(config.clickhouse, config.insert, logger);
      const admin = createKafka(config.kafka, logger.child({ component: 'kafka' })).admin();
      await admin.connect();
      try {
        await dropKafkaEnginePipeline(clickhouse, objects);
        const plan = await handOverOffsets(
          {
            admin,
            clickhouse,
            groupId: config.kafka.groupId,
            topics: config.kafka.topics,
            landedTables: [objects.eventsTable, objects.errorsTable],
            log: (fields, message) => logger.warn(fields, message),
          },
          { waitMs: Number(opts.wait) * 1000 },
        );
        console.log(
          JSON.stringify(
            {
              stopped: objects.kafkaTable,
              groupId: config.kafka.groupId,
              offsetsMoved: plan.moves.map((m) => ({
                ...m,
                from: m.from?.toString(),
                to: m.to.toString(),
              })),
              notes: plan.notes,
              next: 'start workers with INGEST_MODE=worker',
            },
            null,
            2,
          ),
        );
      } finally {
        await admin.disconnect();
        await clickhouse.close();
      }
    });

  group
    .command('status')
    .description('lag of the Kafka-engine pipeline (broker offsets and system.kafka_consumers)')
    .action(async (_: unknown, command: Command) => {
      const config = configOf(command);
      const logger = createLogger(config.logLevel, config.workerId, 'stderr');
      const objects = kafkaEngineObjects(schemaTargetOf(config.clickhouse));
      const clickhouse = createClickHouseClient(config.clickhouse, config.insert, logger);
      const admin = createKafka(config.kafka, logger.child({ component: 'kafka' })).admin();
      await admin.connect();
      try {
        const group = await readGroupLag(admin, {
          groupId: config.kafka.groupId,
          topics: config.kafka.topics,
          fromBeginning: config.kafka.fromBeginning,
        });
        const lag = summarizeKafkaEngineLag(
          group,
          await readKafkaConsumers(clickhouse, objects.kafkaTable),
        );
        console.log(
          JSON.stringify(lag, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2),
        );
      } finally {
        await admin.disconnect();
        await clickhouse.close();
      }
    });
}

function configOf(command: Command, options: { kafkaUnused?: boolean } = {}): Readonly<Config> {
  let root: Command = command;
  while (root.parent !== null) root = root.parent;
  const configFile = root.opts<{ config?: string }>().config;
  return loadConfig(configFile === undefined ? options : { ...options, configFile });
}
