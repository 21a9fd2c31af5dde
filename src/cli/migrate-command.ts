import type { Command } from 'commander';
import { loadConfig } from '../config/load-config.ts';
import type { Config } from '../config/schema.ts';
import { ConfigError } from '../errors.ts';
import { createMigrationClient, schemaTargetOf } from '../migrate/migrate-from-config.ts';
import type { MigrationStatusRow } from '../migrate/plan-migrations.ts';
import {
  migrateDown,
  migrateUp,
  migrationStatus,
  type MigrateResult,
} from '../migrate/run-migrations.ts';
import { createLogger } from '../log/logger.ts';
import { renderMigrations, type Statement } from '../schema/render-schema.ts';

/** Exit code of `migrate status` when migrations are pending or were edited after applying. */
export const EXIT_NOT_CURRENT = 3;

/**
 * `hanzo-ingest migrate up | down [n] | status | render`: the HIP-47 schema's versioned
 * migrations (schemas/migrations) against CLICKHOUSE_DATABASE, clustered when
 * CLICKHOUSE_CLUSTER is set. Reads the same configuration as `run`.
 */
export function registerMigrateCommand(program: Command): void {
  const migrate = program
    .command('migrate')
    .description('apply, revert or inspect the ClickHouse schema migrations (schemas/migrations)');

  migrate
    .command('up')
    .description('apply every pending migration (one migrator at a time, however many start)')
    .option('--dry-run', 'print the SQL that would run; nothing is sent or recorded')
    .option('--json', 'print the result as JSON')
    .action(async (options: { dryRun?: boolean; json?: boolean }, command: Command) => {
      const config = configOf(command);
      await withClient(config, async (client, logger) => {
        const result = await migrateUp(client, {
          ...schemaTargetOf(config.clickhouse),
          owner: config.workerId,
          dryRun: options.dryRun === true,
          logger,
        });
        printResult(result, options.json === true);
      });
    });

  migrate
    .command('down')
    .description('revert the n most recent migrations (default 1); drops their tables and data')
    .argument('[n]', 'how many migrations to revert', '1')
    .option('--dry-run', 'print the SQL that would run; nothing is sent or recorded')
    .option('--json', 'print the result as JSON')
    .action(async (n: string, options: { dryRun?: boolean; json?: boolean }, command: Command) => {
      const steps = Number(n);
      if (!Number.isInteger(steps) || steps < 1) {
        throw new ConfigError([`migrate down: n must be a whole number ≥ 1, got "${n}"`]);
      }
      const config = configOf(command);
      await withClient(config, async (client, logger) => {
        const result = await migrateDown(client, {
          ...schemaTargetOf(config.clickhouse),
          owner: config.workerId,
          dryRun: options.dryRun === true,
          steps,
          logger,
        });
        printResult(result, options.json === true);
      });
    });

  migrate
    .command('status')
    .description(
      `list migrations: applied or pending (exit ${EXIT_NOT_CURRENT} unless all are applied unchanged)`,
    )
    .option('--json', 'print the rows as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const config = configOf(command);
      await withClient(config, async (client) => {
        const rows = await migrationStatus(client, schemaTargetOf(config.clickhouse));
        console.log(options.json === true ? JSON.stringify(rows, null, 2) : formatStatus(rows));
        const current = rows.every((r) => r.state !== 'pending' && r.checksumMatches !== false);
        if (!current) process.exitCode = EXIT_NOT_CURRENT;
      });
    });

  migrate
    .command('render')
    .description('print the whole schema as SQL for the configured target; no server needed')
    .option('--down', 'print every down migration instead, newest first')
    .action((options: { down?: boolean }, command: Command) => {
      const config = configOf(command, { kafkaUnused: true });
      const migrations = renderMigrations(schemaTargetOf(config.clickhouse));
      const statements =
        options.down === true
          ? migrations.reverse().flatMap((m) => m.down)
          : migrations.flatMap((m) => m.up);
      console.log(formatStatements(statements));
    });
}

function configOf(command: Command, options: { kafkaUnused?: boolean } = {}): Readonly<Config> {
  const configFile = command.parent?.parent?.opts<{ config?: string }>().config;
  return loadConfig(configFile === undefined ? options : { ...options, configFile });
}

async function withClient(
  config: Readonly<Config>,
  action: (
    client: ReturnType<typeof createMigrationClient>,
    logger: ReturnType<typeof createLogger>,
  ) => Promise<void>,
): Promise<void> {
  const logger = createLogger(config.logLevel, config.workerId, 'stderr');
  const client = createMigrationClient(config.clickhouse);
  try {
    await action(client, logger.child({ component: 'migrate' }));
  } finally {
    await client.close();
  }
}

function printResult(result: MigrateResult, json: boolean): void {
  if (json) {
    console.log(JSON.stringify(result, null, 2));
    return;
  }
  if (result.dryRun) {
    console.log(
      result.statements.length === 0
        ? `-- nothing to ${result.direction === 'up' ? 'apply' : 'revert'}`
        : formatStatements(result.statements),
    );
    return;
  }
  const verb = result.direction === 'up' ? 'applied' : 'reverted';
  console.log(
    result.migrations.length === 0
      ? `nothing to ${result.direction === 'up' ? 'apply: the schema is up to date' : 'revert'}`
      : `${verb} ${result.migrations.join(', ')} (${result.statements.length} statements)`,
  );
}

/** A script with a `-- <migration>` line before each migration's statements. */
function formatStatements(statements: readonly Statement[]): string {
  const out: string[] = [];
  let current: string | undefined;
  for (const statement of statements) {
    if (statement.migration !== current) {
      current = statement.migration;
      out.push(`-- ${current}`);
    }
    out.push(`${statement.sql};\n`);
  }
  return out.join('\n');
}

function formatStatus(rows: readonly MigrationStatusRow[]): string {
  return rows
    .map((r) => {
      const parts = [r.id.padEnd(28), r.state.padEnd(8)];
      if (r.appliedAt !== undefined) parts.push(`${r.appliedAt} UTC by ${r.appliedBy ?? '?'}`);
      if (r.rendering !== undefined) parts.push(`(${r.rendering})`);
      if (r.checksumMatches === false) parts.push('CHANGED SINCE APPLIED');
      if (r.state === 'unknown') parts.push('not in this build (applied by a newer version)');
      return parts.join('  ');
    })
    .join('\n');
}
