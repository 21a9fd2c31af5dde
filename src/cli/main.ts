#!/usr/bin/env -S node --disable-warning=TimeoutNegativeWarning
import { Command } from 'commander';
import { loadConfig } from '../config/load-config.ts';
import { configSchema } from '../config/schema.ts';
import { configReference, maskSecrets } from '../config/print-config.ts';
import { ConfigError, UsageError, errorMessage } from '../errors.ts';
import { createKafka } from '../consume/create-kafka.ts';
import { replayDeadLetters } from '../dlq/replay-dead-letters.ts';
import { runWorker } from '../main.ts';
import { createLogger } from '../log/logger.ts';
import { registerProduceSampleCommand } from './produce-sample-command.ts';
import { registerTopicsCommand } from './topics-command.ts';
import { registerKafkaEngineCommand } from './kafka-engine-command.ts';
import { registerMigrateCommand } from './migrate-command.ts';
import { registerEnrichCommand } from './enrich-command.ts';
import { registerLagCommand } from './lag-command.ts';
import { packageVersion } from './package-version.ts';

const program = new Command()
  .name('hanzo-ingest')
  .description('Kafka → ClickHouse ingestion worker for the Hanzo analytics datastore (HIP-47)')
  .version(packageVersion(), '-V, --version', 'print the version and exit')
  .option('-c, --config <file>', 'JSON config file (environment variables override it)')
  .showHelpAfterError();

program
  .command('run')
  .description('consume, enrich, batch, insert and commit until SIGTERM/SIGINT')
  .action(async () => {
    applyConfigFileOption();
    // Exit as soon as the worker is done (drained, or failed): a client still retrying in the
    // background (e.g. a kafkajs reconnect loop after a broker outage) must not keep a worker
    // that holds no partitions alive, where no supervisor would restart it.
    process.exit(await runWorker());
  });

program
  .command('check-config')
  .description('validate the configuration and print it, secrets masked')
  .option('--reference', 'print the environment variable reference (Markdown) instead')
  .action((options: { reference?: boolean }) => {
    if (options.reference === true) {
      // Required settings get a placeholder to parse the defaults and are shown as required.
      const defaults = configSchema.parse({
        workerId: '(hostname-pid)',
        kafka: { brokers: ['required:9092'] },
      });
      console.log(configReference(defaults, new Set(['KAFKA_BROKERS'])));
      return;
    }
    applyConfigFileOption();
    console.log(JSON.stringify(maskSecrets(loadConfig()), null, 2));
  });

const dlq = program.command('dlq').description('dead-letter topic tools');
dlq
  .command('replay')
  .description('re-ingest dead letters: produce their original bytes back to their source topic')
  .option(
    '--reason <reasons>',
    'only these error classes, comma-separated (e.g. timestamp_in_future,unknown_schema_id)',
  )
  .option('--since <time>', 'only dead letters written at or after this ISO time')
  .option('--until <time>', 'only dead letters written before this ISO time')
  .option('--to-topic <topic>', "produce to this topic instead of each record's source topic")
  .option('--dry-run', 'count what would be replayed, produce nothing')
  .action(
    async (options: {
      reason?: string;
      since?: string;
      until?: string;
      toTopic?: string;
      dryRun?: boolean;
    }) => {
      applyConfigFileOption();
      const config = loadConfig();
      const logger = createLogger(config.logLevel, config.workerId, 'stderr');
      const summary = await replayDeadLetters({
        kafka: createKafka(config.kafka, logger.child({ component: 'kafka' })),
        dlqTopic: config.kafka.dlqTopic,
        filter: {
          reasons:
            options.reason
              ?.split(',')
              .map((r) => r.trim())
              .filter(Boolean) ?? [],
          sinceMs: parseTime('--since', options.since),
          untilMs: parseTime('--until', options.until),
        },
        toTopic: options.toTopic,
        dryRun: options.dryRun === true,
      });
      for (const t of summary.skippedTruncated) {
        console.error(
          `skipped truncated dead letter ${t.source} (${t.originalBytes} bytes originally): re-read the original from its source topic at that partition and offset`,
        );
      }
      for (const source of summary.skippedRows) {
        console.error(
          `skipped dead letter ${source}: its message was gone from Kafka when ClickHouse refused it; the value is the row as inserted (header hanzo.dlq.row_format)`,
        );
      }
      console.log(JSON.stringify({ dryRun: options.dryRun === true, ...summary }, null, 2));
    },
  );

function parseTime(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new ConfigError([`${flag}: not a time: "${text}"`]);
  return ms;
}

function applyConfigFileOption(): void {
  const file = program.opts<{ config?: string }>().config;
  if (file !== undefined) process.env['INGEST_CONFIG_FILE'] = file;
}

registerProduceSampleCommand(program);
registerTopicsCommand(program);
registerKafkaEngineCommand(program);
registerMigrateCommand(program);
registerEnrichCommand(program);
registerLagCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof ConfigError || err instanceof UsageError) {
    console.error(`hanzo-ingest: ${err.message}`);
    process.exitCode = 2;
  } else {
    console.error(`hanzo-ingest: ${errorMessage(err)}`);
    process.exitCode = 1;
  }
}
