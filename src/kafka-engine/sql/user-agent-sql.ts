import { DESKTOP_OS } from '../../enrich/user-agent/parse-user-agent.ts';
import { sqlString, sqlStringArray } from '../sql-literal.ts';
import { UAP_BROWSER_NAMES, UAP_OS_NAMES } from '../user-agent/uap-names.ts';
import { ipValue, type FieldPath } from './client-ip-sql.ts';

export interface UserAgentSqlOptions {
  /** Where the user agent is read (the worker's ENRICH_USER_AGENT_FIELDS). */
  readonly fields: readonly FieldPath[];
  /** isbot's patterns as one RE2 pattern (user-agent/bot-pattern.ts). */
  readonly botPattern: string;
}

/** The device columns' expressions, one per column: where an SDK-given value can take over. */
export const USER_AGENT_COLUMNS = {
  browser: 'p_ua_browser',
  browser_version: 'p_ua_browser_version',
  os: 'p_ua_os',
  os_version: 'p_ua_os_version',
  device_type: 'p_ua_device_type',
} as const;

const mapped = (value: string, names: Readonly<Record<string, string>>): string => {
  const entries = Object.entries(names);
  return `transform(${value}, ${sqlStringArray(entries.map(([k]) => k))}, ${sqlStringArray(entries.map(([, v]) => v))}, ${value})`;
};

/** ua-parser-js 1.0's device types, from the same hints it reads (parse-user-agent.ts). */
const CONSOLE = '(?i)playstation|xbox|nintendo|ouya';
const SMART_TV =
  '(?i)smart-?tv|hbbtv|roku|apple ?tv|googletv|crkey|bravia|netcast|\\\\baft[a-z]|\\\\btv safari|tizen.*\\\\btv\\\\b|web0s';
const WEARABLE = '(?i)watch|\\\\bsm-r[0-9]|glass';
const TABLET = '(?i)ipad|tablet|playbook|kindle|silk|\\\\bsm-[tx][0-9]|nexus (7|9|10)';
const MOBILE = '(?i)mobile|iphone|ipod|windows phone|blackberry|opera mini';

/**
 * The worker's user-agent step (src/enrich/user-agent) in SQL: the first configured field
 * holding a non-empty string, cut at 500 characters, looked up in the uap-core regexp_tree
 * dictionary; names mapped to ua-parser-js's, the version completed from the user agent
 * (uap keeps three parts: Chrome 131.0.0 → 131.0.0.0), isbot's patterns for `bot`, then the
 * device type from the same hints ua-parser-js uses, `desktop` for a desktop OS.
 */
export function userAgentAliases(
  dictionary: string,
  options: UserAgentSqlOptions | undefined,
): [string, string][] {
  if (options === undefined) {
    return Object.values(USER_AGENT_COLUMNS).map((alias): [string, string] => [alias, "''"]);
  }
  const d = sqlString(dictionary);
  const dots = (v: string): string =>
    `replaceRegexpAll(replaceRegexpOne(${v}, '[.]+$', ''), '[.]{2,}', '.')`;
  return [
    ['p_ua', `substringUTF8(${ipValue(options.fields)}, 1, 500)`],
    [
      'p_uap',
      `if(p_ua = '', ('', '', '', '', ''), dictGet(${d}, ('browser', 'browser_version', 'os', 'os_version', 'device'), p_ua))`,
    ],
    [
      'p_ua_bot',
      `p_ua != '' AND (match(p_ua, ${sqlString(options.botPattern)}) OR p_uap.5 = 'Spider')`,
    ],
    ['p_ua_v', dots('p_uap.2')],
    [USER_AGENT_COLUMNS.browser, mapped('p_uap.1', UAP_BROWSER_NAMES)],
    [
      USER_AGENT_COLUMNS.browser_version,
      `if(p_ua_v != '' AND position(p_ua, concat(p_ua_v, '.')) > 0, extract(substring(p_ua, position(p_ua, concat(p_ua_v, '.'))), '^[0-9][.0-9]*[0-9]'), p_ua_v)`,
    ],
    [USER_AGENT_COLUMNS.os, mapped('p_uap.3', UAP_OS_NAMES)],
    [USER_AGENT_COLUMNS.os_version, dots('p_uap.4')],
    [
      USER_AGENT_COLUMNS.device_type,
      `multiIf(p_ua = '', '', p_ua_bot, 'bot', match(p_ua, '${CONSOLE}'), 'console', match(p_ua, '${SMART_TV}'), 'smarttv', match(p_ua, '${WEARABLE}'), 'wearable', match(p_ua, '${TABLET}') OR p_uap.5 = 'iPad' OR (p_uap.3 = 'Android' AND NOT match(p_ua, '(?i)mobile')), 'tablet', match(p_ua, '${MOBILE}') OR p_uap.3 IN ('Android', 'iOS'), 'mobile', has(${sqlStringArray([...DESKTOP_OS])}, ${USER_AGENT_COLUMNS.os}), 'desktop', '')`,
    ],
  ];
}
