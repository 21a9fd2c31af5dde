import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { ConfigError, errorMessage, osErrorText } from '../errors.ts';
import { CONFIG_FILE_ENV } from './env-settings.ts';
import { applyEnvSettings, unknownEnvProblems } from './read-env.ts';
import { configSchema, type Config } from './schema.ts';
import { describeIssue } from './describe-issue.ts';

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** A JSON file with the same nested sections as the config; the environment overrides it. */
  configFile?: string;
  /**
   * For commands that never connect to Kafka (rendering DDL, the enrich dry run): a missing
   * KAFKA_BROKERS is then no error, and `kafka.brokers` is empty. `run` keeps requiring it.
   */
  kafkaUnused?: boolean;
}

/** Satisfies the schema while KAFKA_BROKERS is unset for a command that does not use it. */
const UNUSED_BROKER = 'unused.invalid:9092';

/**
 * Reads the configuration once: file (optional) → environment → schema.
 * Collects every problem before failing, naming each setting as the user wrote it.
 */
export function loadConfig(options: LoadConfigOptions = {}): Readonly<Config> {
  const env = options.env ?? process.env;
  const problems: string[] = [];
  const file = options.configFile ?? env[CONFIG_FILE_ENV];
  const raw: Record<string, unknown> = file === undefined ? {} : readConfigFile(file, problems);
  problems.push(...unknownEnvProblems(env));
  const fromEnv = applyEnvSettings(env, raw, problems);
  if (raw['workerId'] === undefined) raw['workerId'] = `${hostname()}-${process.pid}`;
  raw['kafka'] ??= {};
  const kafka = raw['kafka'];
  const brokersUnset =
    options.kafkaUnused === true &&
    kafka !== null &&
    typeof kafka === 'object' &&
    !Array.isArray(kafka) &&
    (kafka as Record<string, unknown>)['brokers'] === undefined;
  if (brokersUnset) (kafka as Record<string, unknown>)['brokers'] = [UNUSED_BROKER];

  // reportInput: without it zod leaves `input` undefined and every type error looks missing.
  const parsed = configSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const dotted = issue.path.map(String).join('.');
      const setByEnv = [...fromEnv].some((p) => dotted === p || dotted.startsWith(`${p}.`));
      const fromFile = file !== undefined && !setByEnv && issue.input !== undefined;
      problems.push(describeIssue(issue, fromFile));
    }
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  const config = parsed.data;
  return deepFreeze(brokersUnset ? { ...config, kafka: { ...config.kafka, brokers: [] } } : config);
}

function readConfigFile(file: string, problems: string[]): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    problems.push(`${CONFIG_FILE_ENV} (${file}): cannot read: ${osErrorText(err)}`);
    return {};
  }
  try {
    const value: unknown = JSON.parse(text);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      return value as Record<string, unknown>;
    }
    problems.push(`${CONFIG_FILE_ENV} (${file}): must hold a JSON object`);
  } catch (err) {
    problems.push(`${CONFIG_FILE_ENV} (${file}): ${errorMessage(err)}`);
  }
  return {};
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
