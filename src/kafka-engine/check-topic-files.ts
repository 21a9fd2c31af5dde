import { existsSync } from 'node:fs';
import type { Config } from '../config/schema.ts';
import { ConfigError } from '../errors.ts';
import type { Logger } from '../log/logger.ts';
import { DEFAULT_TOPICS_DIR, loadTopicDefinitions } from '../topics/load-topic-definitions.ts';
import { checkTopicDefinitions } from './check-topic-definitions.ts';

/** The topic files (topics/, when present) must agree with what is consumed. */
export function checkAgainstTopicFiles(config: Readonly<Config>, log: Logger): void {
  if (!existsSync(DEFAULT_TOPICS_DIR)) return;
  const { topics } = loadTopicDefinitions(DEFAULT_TOPICS_DIR);
  const { errors, warnings } = checkTopicDefinitions(topics, {
    topics: config.kafka.topics,
    table: config.clickhouse.table,
  });
  for (const warning of warnings) log.warn({ warning }, 'topic file and configuration differ');
  if (errors.length > 0) throw new ConfigError(errors);
}
