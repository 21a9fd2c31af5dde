#!/usr/bin/env -S node --disable-warning=TimeoutNegativeWarning
import { Command } from 'commander';
import { loadConfig } from '../config/load-config.ts';
import { configSchema } from '../config/schema.ts';
import { configReference, maskSecrets } from '../config/print-config.ts';
import { ConfigError, errorMessage } from '../errors.ts';
import { runWorker } from '../main.ts';

const program = new Command()
  .name('hanzo-ingest')
  .description('Kafka → ClickHouse ingestion worker for the Hanzo analytics datastore (HIP-47)')
  .option('-c, --config <file>', 'JSON config file (environment variables override it)')
  .showHelpAfterError();

program
  .command('run')
  .description('consume, enrich, batch, insert and commit until SIGTERM/SIGINT')
  .action(async () => {
    applyConfigFileOption();
    process.exitCode = await runWorker();
  });

program
  .command('check-config')
  .description('validate the configuration and print it, secrets masked')
  .option('--reference', 'print the environment variable reference (Markdown) instead')
  .action((options: { reference?: boolean }) => {
    if (options.reference === true) {
      const defaults = configSchema.parse({ workerId: '(hostname-pid)', kafka: { brokers: ['localhost:9092'] } });
      console.log(configReference(defaults));
      return;
    }
    applyConfigFileOption();
    console.log(JSON.stringify(maskSecrets(loadConfig()), null, 2));
  });

function applyConfigFileOption(): void {
  const file = program.opts<{ config?: string }>().config;
  if (file !== undefined) process.env['INGEST_CONFIG_FILE'] = file;
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`hanzo-ingest: ${err.message}`);
    process.exitCode = 2;
  } else {
    console.error(`hanzo-ingest: ${errorMessage(err)}`);
    process.exitCode = 1;
  }
}
