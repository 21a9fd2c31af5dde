import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { ConfigError, errorMessage, osErrorText } from '../errors.ts';
import {
  CONFIG_FILE_ENV,
  ENV_SETTINGS,
  OWNED_ENV_PREFIXES,
  isServiceLinkVariable,
  type EnvSetting,
} from './env-settings.ts';
import { configSchema, type Config } from './schema.ts';
import { describeIssue } from './describe-issue.ts';

/** Variables under our prefixes that belong to other tools and are left alone. */
const FOREIGN_ENV = new Set([
  'KAFKA_HEAP_OPTS',
  'KAFKA_OPTS',
  'KAFKA_JVM_PERFORMANCE_OPTS',
  'KAFKA_LOG4J_OPTS',
]);

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
  const fromEnv = new Set<string>();

  const known = new Set(
    ENV_SETTINGS.flatMap((s) => (s.fromFile ? [s.env, `${s.env}_FILE`] : [s.env])),
  );
  known.add(CONFIG_FILE_ENV);
  for (const name of Object.keys(env)) {
    if (known.has(name) || FOREIGN_ENV.has(name) || isServiceLinkVariable(name)) continue;
    if (OWNED_ENV_PREFIXES.some((p) => name.startsWith(p))) {
      problems.push(`${name}: unknown setting${suggest(name)}`);
    }
  }
  for (const setting of ENV_SETTINGS) {
    const text = readEnvValue(setting, env, problems);
    if (text === undefined) continue;
    const value = parseEnvValue(setting, text);
    if (value instanceof Error) problems.push(`${setting.env}: ${value.message}`);
    else {
      setPath(raw, setting.path, value);
      fromEnv.add(setting.path.join('.'));
    }
  }
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

function readEnvValue(
  setting: EnvSetting,
  env: NodeJS.ProcessEnv,
  problems: string[],
): string | undefined {
  const direct = env[setting.env];
  const fileVar = `${setting.env}_FILE`;
  const path = setting.fromFile === true ? env[fileVar] : undefined;
  if (direct !== undefined && path !== undefined) {
    problems.push(`${setting.env}: set either ${setting.env} or ${fileVar}, not both`);
    return undefined;
  }
  if (path === undefined) return direct === '' && setting.kind !== 'string' ? undefined : direct;
  try {
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    problems.push(`${fileVar}: cannot read ${path}: ${errorMessage(err)}`);
    return undefined;
  }
}

function parseEnvValue(setting: EnvSetting, text: string): unknown {
  switch (setting.kind) {
    case 'string':
      return text;
    case 'int': {
      const cleaned = text.replace(/_/g, '');
      if (!/^-?\d+$/.test(cleaned)) return new Error(`expected a whole number, got "${text}"`);
      return Number(cleaned);
    }
    case 'bool': {
      const lower = text.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(lower)) return true;
      if (['0', 'false', 'no', 'off'].includes(lower)) return false;
      return new Error(`expected true or false, got "${text}"`);
    }
    case 'list':
      return text
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part.length > 0);
    case 'map': {
      const out: Record<string, string> = {};
      for (const pair of text.split(',').filter((p) => p.trim() !== '')) {
        const eq = pair.indexOf('=');
        if (eq <= 0) return new Error(`expected key=value pairs, got "${pair}"`);
        out[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
      }
      return out;
    }
  }
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  const last = path[path.length - 1];
  if (last !== undefined) node[last] = value;
}

function suggest(name: string): string {
  const best = ENV_SETTINGS.map((s) => s.env)
    .map((candidate) => ({ candidate, distance: editDistance(name, candidate) }))
    .sort((a, b) => a.distance - b.distance)[0];
  return best !== undefined && best.distance <= 3 ? ` (did you mean ${best.candidate}?)` : '';
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] ?? 0;
      row[j] = Math.min(
        (row[j] ?? 0) + 1,
        (row[j - 1] ?? 0) + 1,
        previous + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      previous = current;
    }
  }
  return row[b.length] ?? 0;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
