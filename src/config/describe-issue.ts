import type { z } from 'zod';
import { ENV_SETTINGS, type EnvSetting, type SettingKind } from './env-settings.ts';

/**
 * One configuration problem as a user reads it: the setting's name as they wrote it, then
 * what was expected and what was given. A value from the config file is named by its path
 * first (`batch.maxRows (BATCH_MAX_ROWS)`), one from the environment by its variable.
 */
export function describeIssue(issue: z.core.$ZodIssue, fromFile: boolean): string {
  const name = fromFile ? filePathName(issue.path) : settingName(issue.path);
  return `${name}: ${issueText(issue, fromFile)}`;
}

/** "KAFKA_BROKERS (kafka.brokers)" when the setting has a variable, else the path. */
function settingName(path: readonly PropertyKey[]): string {
  const dotted = path.map(String).join('.');
  const env = variableOf(dotted);
  return env !== undefined ? `${env} (${dotted})` : dotted || '(root)';
}

function filePathName(path: readonly PropertyKey[]): string {
  const dotted = path.map(String).join('.');
  const env = variableOf(dotted);
  return env !== undefined ? `${dotted || '(root)'} (${env})` : dotted || '(root)';
}

function variableOf(dotted: string): string | undefined {
  return settingAt(dotted)?.env;
}

function settingAt(dotted: string): EnvSetting | undefined {
  return (
    ENV_SETTINGS.find((s) => s.path.join('.') === dotted) ??
    ENV_SETTINGS.find((s) => dotted.startsWith(`${s.path.join('.')}.`))
  );
}

function issueText(issue: z.core.$ZodIssue, fromFile: boolean): string {
  // zod reports a missing key as a type error whose input is undefined.
  if (issue.input === undefined && issue.code === 'invalid_type') return 'is required';
  // A secret's value is never printed, only its type.
  const secret = settingAt(issue.path.map(String).join('.'))?.secret === true;
  const given = secret
    ? `${typeOf(issue.input)} (not shown: secret)`
    : // Every variable is text: "the string" would say nothing there.
      !fromFile && typeof issue.input === 'string'
      ? JSON.stringify(issue.input)
      : describeValue(issue.input);
  if (issue.code === 'invalid_type') {
    return `expected ${expectedType(issue.path, issue.expected)}, got ${given}`;
  }
  if (issue.code === 'invalid_value' && !issue.message.startsWith('expected')) {
    const options = issue.values.map((v) => String(v)).join(', ');
    return `expected one of ${options}, got ${given}`;
  }
  return issue.message;
}

const KIND_TEXT: Readonly<Record<SettingKind, string>> = {
  string: 'a string',
  int: 'an integer',
  bool: 'true or false',
  list: 'a list of strings',
  map: 'an object of strings',
};

const EXPECTED_TEXT: Readonly<Record<string, string>> = {
  number: 'a number',
  int: 'an integer',
  string: 'a string',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
};

/** The setting's declared kind where it has one (z.number().int() reports "number"). */
function expectedType(path: readonly PropertyKey[], expected: string): string {
  const dotted = path.map(String).join('.');
  const kind = ENV_SETTINGS.find((s) => s.path.join('.') === dotted)?.kind;
  return kind !== undefined ? KIND_TEXT[kind] : (EXPECTED_TEXT[expected] ?? expected);
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list (${truncate(JSON.stringify(value))})`;
  switch (typeof value) {
    case 'string':
      return `the string ${truncate(JSON.stringify(value))}`;
    case 'number':
      return `the number ${value}`;
    case 'boolean':
      return `the boolean ${value}`;
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function truncate(text: string): string {
  return text.length <= 80 ? text : `${text.slice(0, 77)}...`;
}
