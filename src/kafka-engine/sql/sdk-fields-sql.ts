import { CLASHING_FIELDS_KEY, KNOWN_TOP_LEVEL_FIELDS } from '../../decode/fold-unknown-fields.ts';
import { SDK_DEVICE_PROPERTIES } from '../../decode/sdk-device-fields.ts';
import { SWITCH_OFF_WORDS } from '../../enrich/geo/geoip-switch.ts';
import { sqlString, sqlStringArray } from '../sql-literal.ts';
import type { FieldPath } from './client-ip-sql.ts';

/**
 * The worker's SDK-field rules in SQL (issue 17): device columns from the SDK's properties
 * (sdk-device-fields.ts; there is no user-agent parser in SQL, so they are the only source),
 * the `$geoip_disable` switches (geoip-switch.ts) and the folding of unknown top-level fields
 * into properties (fold-unknown-fields.ts).
 */

/** `p_sdk_<column>` aliases: the device columns as the SDK sent them, '' otherwise. */
export function sdkDeviceAliases(): [string, string][] {
  const p = SDK_DEVICE_PROPERTIES;
  const type = (key: string): string =>
    `if(mapContains(p_pm, ${sqlString(key)}), toString(JSONType(p_pm[${sqlString(key)}])), 'Missing')`;
  const text = (key: string): string =>
    `if(${type(key)} = 'String', JSONExtractString(p_pm[${sqlString(key)}]), '')`;
  // A number's JSON text is what String(number) prints for the numbers SDKs send (131, 17.4).
  const version = (key: string): string =>
    `multiIf(${type(key)} = 'String', JSONExtractString(p_pm[${sqlString(key)}]), ${type(key)} IN ('Int64', 'UInt64', 'Double'), p_pm[${sqlString(key)}], '')`;
  return [
    ['p_sdk_browser', text(p.browser)],
    ['p_sdk_browser_version', `if(p_sdk_browser = '', '', ${version(p.browser_version)})`],
    ['p_sdk_os', text(p.os)],
    ['p_sdk_os_version', `if(p_sdk_os = '', '', ${version(p.os_version)})`],
    ['p_sdk_device_type', `lowerUTF8(${text(p.device_type)})`],
  ];
}

/** True when any switch is on, read as isSwitchOn reads it ('false' when there are none). */
export function geoipSwitchSql(paths: readonly FieldPath[]): string {
  if (paths.length === 0) return 'false';
  const on = paths.map((path) => {
    const doc = path.inProperties
      ? "if(p_props_type = 'Object', p_props_text, '{}')"
      : "if(p_msg_type = 'Object', p_msg, '{}')";
    const args = [doc, ...path.segments.map(sqlString)].join(', ');
    const t = `toString(JSONType(${args}))`;
    return `multiIf(${t} = 'Bool', JSONExtractBool(${args}) = 1, ${t} IN ('Int64', 'UInt64', 'Double'), JSONExtractFloat(${args}) != 0, ${t} = 'String', NOT has(${sqlStringArray(['', ...SWITCH_OFF_WORDS])}, lowerUTF8(trimBoth(JSONExtractString(${args})))), ${t} IN ('Object', 'Array'), true, false)`;
  });
  return on.join(' OR ');
}

export interface FoldSqlOptions {
  /** Top-level fields never folded (the raw IP read from the top level). */
  readonly neverFolded: readonly string[];
  /** Top-level fields not folded when the geo switch is on (the IP, kept otherwise). */
  readonly notFoldedWhenSwitched: readonly string[];
}

/**
 * Aliases folding the unknown top-level fields: `p_unk` (their key/raw-value pairs, message
 * order), `p_fold_own` (those going under their own name), `p_fold_clash` (those a property
 * already has: properties-sql.ts puts them under `$unknown_fields`) and `p_fold_problem` (a
 * clash with a producer-sent `$unknown_fields`: a wrong_type dead letter, as in the worker).
 */
export function foldUnknownAliases(options: FoldSqlOptions): [string, string][] {
  const known = sqlStringArray([...KNOWN_TOP_LEVEL_FIELDS, ...options.neverFolded]);
  const top = `JSONExtractKeysAndValuesRaw(if(p_msg_type = 'Object', p_msg, '{}'))`;
  const unk0 = `arrayFilter(kv -> NOT has(${known}, kv.1), ${top})`;
  const switched = options.notFoldedWhenSwitched;
  const key = sqlString(CLASHING_FIELDS_KEY);
  return [
    [
      'p_unk',
      switched.length === 0
        ? unk0
        : `if(p_geo_off, arrayFilter(kv -> NOT has(${sqlStringArray(switched)}, kv.1), ${unk0}), ${unk0})`,
    ],
    ['p_unk_clash', 'arrayMap(kv -> mapContains(p_pm, kv.1), p_unk)'],
    ['p_fold_own', 'arrayFilter((kv, c) -> NOT c, p_unk, p_unk_clash)'],
    ['p_fold_clash', 'arrayFilter((kv, c) -> c, p_unk, p_unk_clash)'],
    ['p_fold_problem', `length(p_fold_clash) > 0 AND mapContains(p_pm, ${key})`],
  ];
}
