import { CLASHING_FIELDS_KEY } from '../../decode/fold-unknown-fields.ts';
import { sqlString, sqlStringArray } from '../sql-literal.ts';
import { fieldRaw, typeAlias } from './json-value-sql.ts';
import { nestedScrubSql } from './nested-scrub-sql.ts';
import type { ParseSelectOptions } from './parse-select-options.ts';

/**
 * The properties to store (p_props_out): keys never stored dropped (top-level and nested; a
 * `$geoip_disable`-style switch drops the IP keys too), the text kept verbatim unless
 * something had to change. Nested removals leave top-level scalars, all the LLM step reads,
 * as they are.
 */
export function storedPropertiesAliases(
  options: Pick<ParseSelectOptions, 'removeKeys' | 'removePaths' | 'ipKeysWhenSwitched'>,
): [string, string][] {
  const removeKeys = sqlStringArray(options.removeKeys);
  const nested = nestedScrubSql(options.removePaths);
  const switchedIpKeys = options.ipKeysWhenSwitched ?? [];
  const removeWhenSwitched = sqlStringArray([...options.removeKeys, ...switchedIpKeys]);
  return [
    // Privacy: keys never stored are dropped from properties (the worker re-serialises then).
    ['p_pm_kept', `mapFilter((k, v) -> NOT has(${removeKeys}, k), p_pm)`],
    ...nested.aliases,
    // JSON text given as a string is stored verbatim unless a key had to go; an object is
    // re-serialised, as the worker's JSON.stringify does (key order included).
    [
      'p_props_changed',
      `p_ts_broker OR ${typeAlias('properties')} = 'Object' OR length(p_unk) > 0 OR hasAny(arrayMap(kv -> kv.1, p_pkv), ${removeKeys})${nested.changed === undefined ? '' : ` OR ${nested.changed}`}${switchedIpKeys.length === 0 ? '' : ` OR (p_geo_off AND hasAny(arrayMap(kv -> kv.1, p_pkv), ${sqlStringArray(switchedIpKeys)}))`}`,
    ],
    // The folded top-level fields, the clashing ones under $unknown_fields, held to the same
    // removals as properties (the worker's scrub-clashed-fields.ts).
    [
      'p_pkv_all',
      `arrayConcat(${nested.members}, p_fold_own, ${
        switchedIpKeys.length === 0
          ? clashesMember(removeKeys)
          : `if(p_geo_off, ${clashesMember(removeWhenSwitched)}, ${clashesMember(removeKeys)})`
      })`,
    ],
    [
      'p_props_out',
      switchedIpKeys.length === 0
        ? `if(p_props_changed, ${rebuildProperties(removeKeys, 'p_pkv_all')}, p_props_text)`
        : `if(p_props_changed, if(p_geo_off, ${rebuildProperties(removeWhenSwitched, 'p_pkv_all')}, ${rebuildProperties(removeKeys, 'p_pkv_all')}), p_props_text)`,
    ],
  ];
}

/** `$unknown_fields` with the clashing top-level fields but `removeKeys`; none without clashes. */
function clashesMember(removeKeys: string): string {
  const kept = `arrayFilter(kv -> NOT has(${removeKeys}, kv.1), p_fold_clash)`;
  const members = `arrayMap(kv -> concat(replaceAll(toJSONString(kv.1), '\\\\/', '/'), ':', kv.2), ${kept})`;
  return `if(length(p_fold_clash) = 0, [], [(${sqlString(CLASHING_FIELDS_KEY)}, concat('{', arrayStringConcat(${members}, ','), '}'))])`;
}

/**
 * JSON.stringify of the properties object (`source`: p_pkv, or p_pkv with nested keys
 * removed from its values, nested-scrub-sql.ts, then the folded top-level fields) without the removed keys (and with
 * `$original_timestamp` set under the broker-time policy): integer-like keys first in
 * ascending order as JavaScript orders them, then the others in order of appearance, values
 * as ClickHouse prints them compactly (the same text as JSON.stringify for ordinary JSON).
 * A duplicated key keeps its last value, at its last position. The lambdas take arrays
 * only, never capture a column: a captured column is copied once per array element.
 */
export function rebuildProperties(removeKeys: string, source = 'p_pkv'): string {
  const isIndex = "match(kv.1, '^(0|[1-9][0-9]{0,9})$') AND toUInt64OrZero(kv.1) < 4294967295";
  const lastOccurrence = `arrayReverse(arrayMap(n -> n = 1, arrayEnumerateUniq(arrayReverse(arrayMap(kv -> kv.1, ${source})))))`;
  const kept = `arrayFilter((kv, last, broker) -> last AND NOT has(${removeKeys}, kv.1) AND NOT (broker AND kv.1 = '$original_timestamp'), ${source}, ${lastOccurrence}, arrayWithConstant(length(${source}), p_ts_broker))`;
  const ordered = `arraySort((kv, i) -> (if(${isIndex}, 0, 1), if(${isIndex}, toUInt64OrZero(kv.1), toUInt64(i))), ${kept}, arrayEnumerate(${kept}))`;
  const members = `arrayMap(kv -> concat(replaceAll(toJSONString(kv.1), '\\\\/', '/'), ':', kv.2), ${ordered})`;
  const original = `if(p_ts_broker, [concat('"$original_timestamp":', ${fieldRaw('timestamp')})], [])`;
  return `concat('{', arrayStringConcat(arrayConcat(${members}, ${original}), ','), '}')`;
}
