import type { Command } from 'commander';
import { loadConfig } from '../config/load-config.ts';
import { createKafka } from '../consume/create-kafka.ts';
import { ConfigError } from '../errors.ts';
import { createLogger } from '../log/logger.ts';
import { applyTopics } from '../topics/apply-topics.ts';
import { formatTopicPlan } from '../topics/format-topic-plan.ts';
import { DEFAULT_TOPICS_DIR, loadTopicDefinitions } from '../topics/load-topic-definitions.ts';
import { overrideReplicationFactor } from '../topics/override-replication-factor.ts';

/** Exit code when the files ask for something apply will not do (fewer partitions…). */
export const EXIT_NOT_APPLIED = 3;

/**
 * `hanzo-ingest topics apply [--dry-run]`: makes the Kafka cluster match topics/*.json —
 * creates missing topics, raises partitions, sets the configs the files manage — and says
 * what it changed. It never deletes a topic, never lowers partitions, never changes the
 * replication factor: those are printed with the reason and the exit code is 3.
 */
export function registerTopicsCommand(program: Command): void {
  const topics = program.command('topics').description('Kafka topic definitions (topics/*.json)');
  topics
    .command('apply')
    .description('create missing topics, raise partitions, set configs; never deletes data')
    .option('--dry-run', 'show what would change; the brokers validate it, nothing changes')
    .option('--dir <folder>', 'folder of the topic files', DEFAULT_TOPICS_DIR)
    .option(
      '--replication-factor <n>',
      'use this replication factor for every topic (development clusters); caps min.insync.replicas',
    )
    .option('--json', 'print the plan and what was applied as JSON')
    .action(
      async (
        options: { dryRun?: boolean; dir: string; replicationFactor?: string; json?: boolean },
        command: Command,
      ) => {
        const configFile = command.parent?.parent?.opts<{ config?: string }>().config;
        const config = loadConfig(configFile === undefined ? {} : { configFile });
        const dryRun = options.dryRun === true;
        let { topics: definitions } = loadTopicDefinitions(options.dir);
        const overrideNotes: string[] = [];
        if (options.replicationFactor !== undefined) {
          const factor = Number(options.replicationFactor);
          if (!Number.isInteger(factor) || factor < 1) {
            throw new ConfigError([
              `--replication-factor: expected a whole number ≥ 1, got "${options.replicationFactor}"`,
            ]);
          }
          const overridden = overrideReplicationFactor(definitions, factor);
          definitions = overridden.topics;
          overrideNotes.push(...overridden.notes);
        }
        const logger = createLogger(config.logLevel, config.workerId, 'stderr');
        const admin = createKafka(config.kafka, logger.child({ component: 'kafka' })).admin();
        await admin.connect();
        try {
          const result = await applyTopics(admin, definitions, { dryRun });
          if (options.json === true) {
            console.log(JSON.stringify({ dryRun, overrideNotes, ...result }, null, 2));
          } else {
            const header = dryRun ? 'topics apply --dry-run (nothing changed)' : 'topics apply';
            console.log(
              `${header}: ${definitions.length} topic files, ${result.brokers} broker(s)`,
            );
            for (const line of overrideNotes) console.log(`· ${line}`);
            for (const line of formatTopicPlan(result.plan, { dryRun })) console.log(line);
            console.log(
              result.plan.changes.length === 0
                ? 'no changes'
                : `${result.applied.length} change(s) ${dryRun ? 'validated' : 'applied'}`,
            );
          }
          if (result.plan.refusals.length > 0) process.exitCode = EXIT_NOT_APPLIED;
        } finally {
          await admin.disconnect();
        }
      },
    );
}
