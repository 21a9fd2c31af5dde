import { fieldRaw } from './json-field-sql.ts';

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
