import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parse } from 'yaml';

/**
 * uap-core's user-agent regexes (Apache-2.0, pinned in package.json) as the rows of a
 * ClickHouse `regexp_tree` dictionary's source table: one flat node per regex, numbered in
 * file order, so for each attribute the first regex that matches and sets it wins — uap's own
 * rule, applied to its three lists independently (browser, OS and device nodes each set only
 * their own attributes). uap's `$1` replacements become ClickHouse's `\1`; a missing one is
 * the capture group uap would use. Versions are joined with dots (trailing dots trimmed in SQL).
 */
export interface RegexpTreeRow {
  readonly id: number;
  readonly parent_id: number;
  readonly regexp: string;
  readonly keys: readonly string[];
  readonly values: readonly string[];
}

export interface UapRegexpTree {
  readonly rows: readonly RegexpTreeRow[];
  /** The uap-core package version (the applier reloads the table only when it changes). */
  readonly version: string;
}

/** The attributes the dictionary serves. */
export const USER_AGENT_ATTRIBUTES = [
  'browser',
  'browser_version',
  'os',
  'os_version',
  'device',
] as const;

type Entry = Readonly<Record<string, string | undefined>>;

const require = createRequire(import.meta.url);

export function loadUapRegexpTree(): UapRegexpTree {
  const file = require.resolve('uap-core/regexes.yaml');
  const pkg = JSON.parse(readFileSync(require.resolve('uap-core/package.json'), 'utf8')) as {
    version: string;
  };
  const data = parse(readFileSync(file, 'utf8')) as Record<string, Entry[] | undefined>;
  return { rows: uapRows(data), version: pkg.version };
}

/** `$1` → `\1`; undefined → the default capture. */
function replacement(given: string | undefined, group: number): string {
  return given === undefined ? `\\${group}` : given.replace(/\$(\d)/g, '\\$1');
}

export function uapRows(
  data: Readonly<Record<string, readonly Entry[] | undefined>>,
): RegexpTreeRow[] {
  const rows: RegexpTreeRow[] = [];
  const add = (entry: Entry, keys: string[], values: string[]): void => {
    const regex = entry['regex'] ?? '';
    rows.push({
      id: rows.length + 1,
      parent_id: 0,
      regexp: entry['regex_flag'] === 'i' ? `(?i)${regex}` : regex,
      keys,
      values,
    });
  };
  for (const e of data['user_agent_parsers'] ?? []) {
    const version = [
      replacement(e['v1_replacement'], 2),
      replacement(e['v2_replacement'], 3),
      replacement(e['v3_replacement'], 4),
    ].join('.');
    add(e, ['browser', 'browser_version'], [replacement(e['family_replacement'], 1), version]);
  }
  for (const e of data['os_parsers'] ?? []) {
    const version = [
      replacement(e['os_v1_replacement'], 2),
      replacement(e['os_v2_replacement'], 3),
      replacement(e['os_v3_replacement'], 4),
    ].join('.');
    add(e, ['os', 'os_version'], [replacement(e['os_replacement'], 1), version]);
  }
  for (const e of data['device_parsers'] ?? []) {
    add(e, ['device'], [replacement(e['device_replacement'], 1)]);
  }
  return rows;
}
