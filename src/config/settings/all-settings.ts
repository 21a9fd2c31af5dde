import { BATCH_SETTINGS } from './batch.ts';
import { CLICKHOUSE_SETTINGS } from './clickhouse.ts';
import { DECODE_SETTINGS } from './decode.ts';
import { ENRICH_SETTINGS } from './enrich.ts';
import { INSERT_SETTINGS } from './insert.ts';
import { KAFKA_ENGINE_SETTINGS } from './kafka-engine.ts';
import { KAFKA_SETTINGS } from './kafka.ts';
import { OBSERVE_SETTINGS } from './observe.ts';
import { TEAM_SETTINGS_SETTINGS } from './team-settings.ts';
import { WORKER_SETTINGS } from './worker.ts';
import { group, requiredGroup } from './setting.ts';

/**
 * Every setting the worker has, section by section: the config schema (schema.ts), the
 * environment reader (env-settings.ts, read-env.ts) and the reference
 * (docs/configuration.md) all come from this one tree, in this order.
 */
export const ALL_SETTINGS = {
  ...WORKER_SETTINGS,
  observe: group(OBSERVE_SETTINGS),
  // No defaults for the brokers: the section must be given.
  kafka: requiredGroup(KAFKA_SETTINGS),
  clickhouse: group(CLICKHOUSE_SETTINGS),
  batch: group(BATCH_SETTINGS),
  insert: group(INSERT_SETTINGS),
  decode: group(DECODE_SETTINGS),
  enrich: group(ENRICH_SETTINGS),
  kafkaEngine: group(KAFKA_ENGINE_SETTINGS),
  teamSettings: group(TEAM_SETTINGS_SETTINGS),
};
