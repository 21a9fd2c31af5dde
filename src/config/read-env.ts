import { readFileSync } from 'node:fs';
import { errorMessage } from '../errors.ts';
import { didYouMean } from './did-you-mean.ts';
import {
  CONFIG_FILE_ENV,
  ENV_SETTINGS,
  OWNED_ENV_PREFIXES,
  isServiceLinkVariable,
  type EnvSetting,
} from './env-settings.ts';
import { parseEnvText } from './parse-env-text.ts';

/** Variables under our prefixes that belong to other tools and are left alone. */
const FOREIGN_ENV = new Set([
  'KAFKA_HEAP_OPTS',
  'KAFKA_OPTS',
  'KAFKA_JVM_PERFORMANCE_OPTS',
  'KAFKA_LOG4J_OPTS',
]);

const KNOWN_ENV = new Set([
  CONFIG_FILE_ENV,
  ...ENV_SETTINGS.flatMap((s) => (s.fromFile === true ? [s.env, `${s.env}_FILE`] : [s.env])),
]);

/** A problem per variable under our prefixes that is no setting (a typo, most likely). */
export function unknownEnvProblems(env: NodeJS.ProcessEnv): string[] {
  const names = ENV_SETTINGS.map((s) => s.env);
  return Object.keys(env)
    .filter((name) => !KNOWN_ENV.has(name) && !FOREIGN_ENV.has(name))
    .filter((name) => !isServiceLinkVariable(name))
    .filter((name) => OWNED_ENV_PREFIXES.some((p) => name.startsWith(p)))
    .map((name) => `${name}: unknown setting${didYouMean(name, names)}`);
}

/**
 * Writes every setting given in the environment into `raw` at its path (over the config
 * file's value) and returns the dotted paths it set; unreadable values become problems.
 */
export function applyEnvSettings(
  env: NodeJS.ProcessEnv,
  raw: Record<string, unknown>,
  problems: string[],
): Set<string> {
  const fromEnv = new Set<string>();
  for (const setting of ENV_SETTINGS) {
    const text = readEnvText(setting, env, problems);
    if (text === undefined) continue;
    const value = parseEnvText(setting.kind, text);
    if (value instanceof Error) problems.push(`${setting.env}: ${value.message}`);
    else {
      setPath(raw, setting.path, value);
      fromEnv.add(setting.path.join('.'));
    }
  }
  return fromEnv;
}

/** The variable's text, or that of the file its `_FILE` form names; empty is unset but for strings. */
function readEnvText(
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
