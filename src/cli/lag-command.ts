import type { Command } from 'commander';
import { loadConfig } from '../config/load-config.ts';
import { assertTopicsExist } from '../consume/assert-topics-exist.ts';
import { readGroupLag, type GroupLag } from '../consume/lag-reader.ts';
import { createLogger } from '../log/logger.ts';
import { connectAdmin } from './connect-admin.ts';

/**
 * `hanzo-ingest lag [--group id] [--topic t]... [--json]`: the consumer group's lag per
 * partition, read from the brokers (log-end offsets against the group's committed
 * offsets), the same numbers the workers export as hanzo_ingest_consumer_lag.
 */
export function registerLagCommand(program: Command): void {
  program
    .command('lag')
    .description("print the consumer group's lag per partition, read from the brokers")
    .option('--group <id>', 'consumer group (default: KAFKA_GROUP_ID)')
    .option('--topic <topic>', 'topic to report (repeatable; default: KAFKA_TOPICS)', collect, [])
    .option('--json', 'print JSON instead of a table')
    .action(
      async (options: { group?: string; topic: string[]; json?: boolean }, command: Command) => {
        const configFile = command.parent?.opts<{ config?: string }>().config;
        const config = loadConfig(configFile === undefined ? {} : { configFile });
        const logger = createLogger(config.logLevel, config.workerId, 'stderr');
        const admin = await connectAdmin(config.kafka, logger.child({ component: 'kafka' }));
        try {
          const topics = options.topic.length > 0 ? options.topic : config.kafka.topics;
          // kafkajs retries offsets of an unknown topic for minutes: say so at once instead.
          await assertTopicsExist(admin, topics);
          const lag = await readGroupLag(admin, {
            groupId: options.group ?? config.kafka.groupId,
            topics,
            fromBeginning: config.kafka.fromBeginning,
          });
          console.log(
            options.json === true ? JSON.stringify(lagJson(lag), null, 2) : lagTable(lag),
          );
        } finally {
          await admin.disconnect();
        }
      },
    );
}

function collect(value: string, previous: string[]): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean),
  ];
}

/** JSON with plain numbers (offsets stay far below 2^53). `committed` is null if never committed. */
export function lagJson(lag: GroupLag): Record<string, unknown> {
  return {
    groupId: lag.groupId,
    state: lag.state,
    members: lag.members,
    totalLag: Number(lag.totalLag),
    readAt: new Date(lag.readAtMs).toISOString(),
    partitions: lag.partitions.map((p) => ({
      topic: p.topic,
      partition: p.partition,
      logStart: Number(p.logStart),
      logEnd: Number(p.logEnd),
      committed: p.committed === undefined ? null : Number(p.committed),
      lag: Number(p.lag),
    })),
  };
}

/** An aligned text table: one line per partition, then the total. */
export function lagTable(lag: GroupLag): string {
  const header = ['TOPIC', 'PARTITION', 'COMMITTED', 'LOG-END', 'LAG'];
  const rows = lag.partitions.map((p) => [
    p.topic,
    String(p.partition),
    p.committed === undefined ? '-' : String(p.committed),
    String(p.logEnd),
    String(p.lag),
  ]);
  const total = ['TOTAL', '', '', '', String(lag.totalLag)];
  const all = [header, ...rows, total];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  // Text columns left-aligned, numbers right-aligned.
  const line = (r: string[]): string =>
    r
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const title = `group ${lag.groupId}: ${lag.state}, ${lag.members} member(s)`;
  return [title, line(header), ...rows.map(line), line(total)].join('\n');
}
