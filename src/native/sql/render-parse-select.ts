import type { DecodeConfig } from '../../config/schema.ts';
import type { KafkaEngineObjects } from '../kafka-engine-objects.ts';
import { sqlString, sqlStringArray } from '../sql-literal.ts';
import { clientIpSql } from './client-ip-sql.ts';
import {
  check,
  decimalText,
  fieldRaw,
  fieldType,
  jsTypeName,
  lit,
  msg,
  optionalString,
  optionalUInt32,
  optionalUuid,
  requiredId,
  requiredString,
  requiredUInt64,
  typeAlias,
  type FieldSql,
} from './json-field-sql.ts';
import { llmCostAliases } from './llm-cost-sql.ts';

/** A field an enrichment step reads: in `properties` or at the event's top level. */
export interface FieldPath {
  readonly inProperties: boolean;
  readonly segments: readonly string[];
}

export interface ParseSelectOptions {
  readonly decode: Pick<
    DecodeConfig,
    'format' | 'maxMessageBytes' | 'maxPropertiesBytes' | 'maxFutureSkewMs' | 'timestampSkewPolicy'
  >;
  /** Top-level `properties` keys never stored (content scrubbing, the raw client IP). */
  readonly removeKeys: readonly string[];
  /** Where the client IP is read, first non-empty string wins (geo on when given). */
  readonly ipFields: readonly FieldPath[];
  readonly geo: boolean;
  readonly llmCost: { readonly enabled: boolean; readonly recompute: boolean };
}

/** Latest instant DateTime64(3) holds, as the worker's parse-timestamp.ts. */
const DATETIME64_MAX_MS = Date.UTC(2299, 11, 31, 23, 59, 59, 999);
/** The timestamp texts the worker reads (ISO 8601 / 'YYYY-MM-DD hh:mm:ss[.fff]', zone optional). */
const TIMESTAMP_TEXT =
  '^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?(Z|[+-][0-9]{2}:[0-9]{2})?)?$';
const SPECIAL_URL = '^(?i)(https?|wss?|ftp)://[^/?#]';

/**
 * The SELECT that turns raw Kafka messages (`message` plus the Kafka engine's virtual
 * columns `_topic`, `_partition`, `_offset`, `_key`, `_timestamp_ms`, `_error`,
 * `_raw_message`) into the columns of the parsed table: every `events` column, plus
 * `error_class`/`error` (empty for a good row), the raw message, its key and timestamp.
 *
 * It applies the worker's decode rules (src/decode: normalize-event.ts, field-readers.ts,
 * parse-timestamp.ts, deterministic-uuid.ts) and what enrichment SQL can do, in the same
 * order, with the same dead-letter classes; it never throws, whatever the bytes, so one bad
 * message can never stop the consumer. `source` is the Kafka table, or in tests any table
 * with the same columns.
 */
export function renderParseSelect(
  objects: KafkaEngineObjects,
  source: string,
  options: ParseSelectOptions,
): string {
  const { decode } = options;
  const fields: Record<string, FieldSql> = {
    uuid: optionalUuid('uuid'),
    team_id: requiredUInt64('team_id'),
    event: requiredString('event'),
    distinct_id: requiredId('distinct_id'),
    session_id: optionalString('session_id'),
    url: optionalString('url'),
    referrer: optionalString('referrer'),
    host: optionalString('host'),
    pathname: optionalString('pathname'),
    utm_source: optionalString('utm_source'),
    utm_medium: optionalString('utm_medium'),
    utm_campaign: optionalString('utm_campaign'),
    model: optionalString('model'),
    provider: optionalString('provider'),
    tokens_prompt: optionalUInt32('tokens_prompt'),
    tokens_completion: optionalUInt32('tokens_completion'),
    organization_id: optionalString('organization_id'),
    project_id: optionalString('project_id'),
    api_key_id: optionalString('api_key_id'),
  };
  const typed = [...Object.keys(fields), 'properties', 'timestamp', 'cost_usd'];
  const costType = typeAlias('cost_usd');
  const cost = decimalText(fieldRaw('cost_usd'), costType);
  // A top-level field wins; otherwise the PostHog-style property (strings only).
  const stringFrom = (field: string, property: string): string =>
    `if(${fields[field]?.value ?? "''"} != '', ${fields[field]?.value ?? "''"}, if(${propType(property)} = 'String', JSONExtractString(p_pm[${sqlString(property)}]), ''))`;
  const removeKeys = sqlStringArray(options.removeKeys);
  const skewed = decode.timestampSkewPolicy === 'broker-time';
  const ip = clientIpSql(ipValue(options.ipFields));

  const aliases: [string, string][] = [
    // The message: the engine's stream mode hands over unparsable rows with _raw_message.
    ['p_msg', "if(_error != '', _raw_message, message)"],
    ['p_valid_utf8', 'isValidUTF8(p_msg)'],
    ['p_valid_json', 'p_valid_utf8 AND isValidJSON(p_msg)'],
    ['p_msg_type', "if(p_valid_json, toString(JSONType(p_msg)), '')"],
    // Top-level fields → raw JSON of their values; the last duplicate wins, as in JSON.parse.
    [
      'p_f',
      "CAST(arrayReverse(JSONExtractKeysAndValuesRaw(if(p_msg_type = 'Object', p_msg, '{}'))), 'Map(String, String)')",
    ],
    ...typed.map((key): [string, string] => [typeAlias(key), fieldType(key)]),
    // properties: absent → {}, an object, or JSON text of an object (kept verbatim if unchanged).
    [
      'p_props_text',
      `multiIf(${typeAlias('properties')} = 'String', JSONExtractString(${fieldRaw('properties')}), ${typeAlias('properties')} = 'Object', ${fieldRaw('properties')}, '{}')`,
    ],
    ['p_props_type', "if(isValidJSON(p_props_text), toString(JSONType(p_props_text)), '')"],
    ['p_pkv', "JSONExtractKeysAndValuesRaw(if(p_props_type = 'Object', p_props_text, '{}'))"],
    ['p_pm', "CAST(arrayReverse(p_pkv), 'Map(String, String)')"],
    // timestamp
    ['p_ts_f', `JSONExtractFloat(${fieldRaw('timestamp')})`],
    ['p_ts_s', `trimBoth(JSONExtractString(${fieldRaw('timestamp')}))`],
    ['p_ts_is_num', `${typeAlias('timestamp')} IN ('Int64', 'UInt64', 'Double')`],
    [
      'p_ts_parsed',
      `if(${typeAlias('timestamp')} = 'String' AND match(p_ts_s, '${TIMESTAMP_TEXT}'), parseDateTime64BestEffortOrNull(p_ts_s, 3, 'UTC'), NULL)`,
    ],
    // Years the parser would clamp are judged on the text, as Date.parse sees them.
    ['p_ts_year', 'toUInt32OrZero(substring(p_ts_s, 1, 4))'],
    [
      'p_ts_ms_f',
      `multiIf(p_ts_is_num, trunc(p_ts_f), p_ts_parsed IS NOT NULL AND p_ts_year > 2299, 1e16, p_ts_parsed IS NOT NULL, toFloat64(toUnixTimestamp64Milli(assumeNotNull(p_ts_parsed))), nan)`,
    ],
    ['p_now_ms', 'toUnixTimestamp64Milli(now64(3))'],
    [
      'p_ts_future',
      `isFinite(p_ts_ms_f) AND p_ts_ms_f >= 0 AND p_ts_ms_f <= ${DATETIME64_MAX_MS} AND p_ts_ms_f > p_now_ms + ${decode.maxFutureSkewMs}`,
    ],
    ['p_ts_broker', skewed ? 'p_ts_future AND _timestamp_ms IS NOT NULL' : 'false'],
    [
      'p_ts_ms',
      `if(p_ts_broker, toUnixTimestamp64Milli(assumeNotNull(_timestamp_ms)), if(isFinite(p_ts_ms_f) AND p_ts_ms_f >= 0 AND p_ts_ms_f <= ${DATETIME64_MAX_MS}, toInt64(p_ts_ms_f), toInt64(0)))`,
    ],
    // Field values (valid even when a check fails).
    ...Object.entries(fields).map(([key, f]): [string, string] => [`p_v_${key}`, f.value]),
    // Privacy: keys never stored are dropped from properties (the worker re-serialises then).
    ['p_pm_kept', `mapFilter((k, v) -> NOT has(${removeKeys}, k), p_pm)`],
    // JSON text given as a string is stored verbatim unless a key had to go; an object is
    // re-serialised, as the worker's JSON.stringify does (key order included).
    [
      'p_props_changed',
      `p_ts_broker OR ${typeAlias('properties')} = 'Object' OR hasAny(arrayMap(kv -> kv.1, p_pkv), ${removeKeys})`,
    ],
    ['p_props_out', `if(p_props_changed, ${rebuildProperties(removeKeys)}, p_props_text)`],
    // Columns from properties, as normalize-event.ts stringFrom.
    ['p_url', stringFrom('url', '$current_url')],
    ['p_session_id', stringFrom('session_id', '$session_id')],
    ['p_referrer', stringFrom('referrer', '$referrer')],
    ...(['utm_source', 'utm_medium', 'utm_campaign'] as const).map((k): [string, string] => [
      `p_v_${k}_props`,
      stringFrom(k, k),
    ]),
    ['p_host0', stringFrom('host', '$host')],
    ['p_pathname0', stringFrom('pathname', '$pathname')],
    [
      'p_split_url',
      `p_url != '' AND (p_host0 = '' OR p_pathname0 = '') AND match(p_url, '${SPECIAL_URL}')`,
    ],
    [
      'p_url_default_port',
      "multiIf(match(p_url, '^(?i)(https|wss)://'), 443, match(p_url, '^(?i)ftp://'), 21, 80)",
    ],
    [
      'p_url_host',
      "concat(lower(domain(p_url)), if(port(p_url) IN (0, p_url_default_port), '', concat(':', toString(port(p_url)))))",
    ],
    ['p_host', "if(p_split_url AND p_host0 = '', p_url_host, p_host0)"],
    [
      'p_pathname',
      "if(p_split_url AND p_pathname0 = '', if(path(p_url) = '', '/', path(p_url)), p_pathname0)",
    ],
    // Geo: the first IP field with a non-empty string, public addresses only.
    ...ip.aliases.map(([a, e]): [string, string] => [a, e]),
    [
      'p_geo',
      options.geo
        ? `if(p_ip_routed, dictGet(${sqlString(objects.geo.dictionary)}, ('country_code', 'region', 'city'), tuple(assumeNotNull(p_ip6))), ('', '', ''))`
        : "('', '', '')",
    ],
    // LLM cost inputs.
    ['p_event', `p_v_event`],
    ['p_model0', 'p_v_model'],
    ['p_provider0', 'p_v_provider'],
    ['p_tp0', 'p_v_tokens_prompt'],
    ['p_tc0', 'p_v_tokens_completion'],
    ['p_cost_text0', cost.text],
    ['p_cost_src0', `if(${costType} IN ('Missing', 'Null'), '', 'provided')`],
    ...llmCostAliases(objects, options.llmCost),
    // Campaign columns from the URL's query string when still empty (utm-from-url.ts).
    [
      'p_utm_from_url',
      "position(p_url, '?') > 0 AND position(substring(p_url, position(p_url, '?')), 'utm_') > 0",
    ],
    ...(['utm_source', 'utm_medium', 'utm_campaign'] as const).map((k): [string, string] => [
      `p_${k}`,
      `if(p_v_${k}_props = '' AND p_utm_from_url, decodeURLFormComponent(extractURLParameter(p_url, '${k}')), p_v_${k}_props)`,
    ]),
    // The first problem, in the worker's order.
    ['p_problem', problemExpression(fields, cost.ok, decode)],
  ];

  const outer = [
    `if(p_v_uuid != '', toUUIDOrZero(p_v_uuid), ${uuidFromOrigin()}) AS uuid`,
    'p_v_team_id AS team_id',
    'p_v_distinct_id AS distinct_id',
    'p_session_id AS session_id',
    'p_v_event AS event',
    "fromUnixTimestamp64Milli(p_ts_ms, 'UTC') AS timestamp",
    'p_props_out AS properties',
    'p_url AS url',
    'p_referrer AS referrer',
    'p_host AS host',
    'p_pathname AS pathname',
    ...['browser', 'browser_version', 'os', 'os_version', 'device_type'].map((c) => `'' AS ${c}`),
    'toFixedString(substring(p_geo.1, 1, 2), 2) AS country_code',
    'p_geo.3 AS city',
    'p_geo.2 AS region',
    'p_utm_source AS utm_source',
    'p_utm_medium AS utm_medium',
    'p_utm_campaign AS utm_campaign',
    'p_model AS model',
    'p_provider AS provider',
    'p_tp AS tokens_prompt',
    'p_tc AS tokens_completion',
    'toDecimal64OrZero(p_cost_text, 8) AS cost_usd',
    'p_cost_src AS cost_source',
    'p_v_organization_id AS organization_id',
    'p_v_project_id AS project_id',
    'p_v_api_key_id AS api_key_id',
    'toString(_topic) AS _topic',
    'toUInt16(_partition) AS _partition',
    'toUInt64(_offset) AS _offset',
    'p_problem.1 AS error_class',
    'p_problem.2 AS error',
    'p_msg AS message',
    'toString(_key) AS kafka_key',
    "toDateTime64(_timestamp_ms, 3, 'UTC') AS kafka_timestamp",
  ];
  return stagedSelect(source, aliases, outer);
}

const SOURCE_COLUMNS =
  '_topic, _partition, _offset, _key, _timestamp_ms, _error, _raw_message, message';

/**
 * Nests the aliases in stages, each a subquery computing the aliases whose inputs the
 * stages below it computed. ClickHouse's analyzer expands an alias into its expression at
 * every use, so one flat SELECT of these chained aliases grows past the query-tree limit;
 * columns of a subquery are plain references.
 */
function stagedSelect(
  source: string,
  aliases: readonly (readonly [string, string])[],
  outer: readonly string[],
): string {
  const names = new Set(aliases.map(([a]) => a));
  const stageOf = new Map<string, number>();
  for (const [alias, expression] of aliases) {
    let stage = 0;
    for (const used of expression.match(/\bp_[A-Za-z0-9_]+\b/g) ?? []) {
      if (!names.has(used)) continue;
      const at = stageOf.get(used);
      if (at === undefined)
        throw new Error(`parse select: ${alias} uses ${used} before it is defined`);
      stage = Math.max(stage, at + 1);
    }
    stageOf.set(alias, stage);
  }
  const stages = Math.max(0, ...stageOf.values()) + 1;
  let sql = `SELECT ${SOURCE_COLUMNS} FROM ${source}`;
  for (let stage = 0; stage < stages; stage++) {
    const here = aliases.filter(([a]) => stageOf.get(a) === stage);
    sql = `SELECT *,\n${here.map(([a, e]) => `    ${e} AS ${a}`).join(',\n')}\nFROM (\n${sql}\n)`;
  }
  return `SELECT\n${outer.map((c) => `    ${c}`).join(',\n')}\nFROM (\n${sql}\n)`;
}

function propType(key: string): string {
  const k = sqlString(key);
  return `if(mapContains(p_pm, ${k}), toString(JSONType(p_pm[${k}])), 'Missing')`;
}

/** The IP value: the first configured field holding a non-empty string, else ''. */
function ipValue(paths: readonly FieldPath[]): string {
  if (paths.length === 0) return "''";
  const reads = paths.map((p) => {
    const args = p.segments.map(sqlString).join(', ');
    return p.inProperties
      ? `JSONExtractString(if(p_props_type = 'Object', p_props_text, '{}'), ${args})`
      : `JSONExtractString(if(p_msg_type = 'Object', p_msg, '{}'), ${args})`;
  });
  return reads.length === 1
    ? (reads[0] ?? "''")
    : `arrayFirst(x -> x != '', [${reads.join(', ')}])`;
}

/**
 * JSON.stringify of the properties object without the removed keys (and with
 * `$original_timestamp` set under the broker-time policy): integer-like keys first in
 * ascending order as JavaScript orders them, then the others in order of appearance, values
 * as ClickHouse prints them compactly (the same text as JSON.stringify for ordinary JSON).
 */
function rebuildProperties(removeKeys: string): string {
  const keys = `arrayFilter(k -> NOT has(${removeKeys}, k) AND NOT (p_ts_broker AND k = '$original_timestamp'), arrayDistinct(arrayMap(kv -> kv.1, p_pkv)))`;
  const isIndex = "match(k, '^(0|[1-9][0-9]{0,9})$') AND toUInt64(k) < 4294967295";
  const ordered = `arrayConcat(arraySort(k -> toUInt64OrZero(k), arrayFilter(k -> ${isIndex}, ${keys})), arrayFilter(k -> NOT (${isIndex}), ${keys}))`;
  const members = `arrayMap(k -> concat(replaceAll(toJSONString(k), '\\\\/', '/'), ':', p_pm[k]), ${ordered})`;
  const original = `if(p_ts_broker, [concat('"$original_timestamp":', ${fieldRaw('timestamp')})], [])`;
  return `concat('{', arrayStringConcat(arrayConcat(${members}, ${original}), ','), '}')`;
}

/** deterministic-uuid.ts: SHA-1 of "hanzo-ingest:topic:partition:offset", version 5 layout. */
function uuidFromOrigin(): string {
  const h =
    "hex(SHA1(concat('hanzo-ingest:', toString(_topic), ':', toString(_partition), ':', toString(_offset))))";
  const variant = `hex(toUInt8(bitOr(bitAnd(reinterpretAsUInt8(unhex(substring(${h}, 17, 2))), 63), 128)))`;
  return `toUUID(lower(concat(substring(${h}, 1, 8), '-', substring(${h}, 9, 4), '-5', substring(${h}, 14, 3), '-', ${variant}, substring(${h}, 19, 2), '-', substring(${h}, 21, 12))))`;
}

function problemExpression(
  fields: Readonly<Record<string, FieldSql>>,
  costOk: string,
  decode: ParseSelectOptions['decode'],
): string {
  const ts = typeAlias('timestamp');
  const props = typeAlias('properties');
  const checks = [
    check([
      [
        "_error != ''",
        'kafka_engine',
        "concat('the Kafka engine could not read the message: ', _error)",
      ],
      ['length(p_msg) = 0', 'not_an_object', lit('empty message (no value)')],
      [
        `length(p_msg) > ${decode.maxMessageBytes}`,
        'message_too_large',
        msg(
          lit('message is '),
          'toString(length(p_msg))',
          lit(` bytes, above the ${decode.maxMessageBytes}-byte limit`),
        ),
      ],
      [
        decode.format === 'auto' ? "startsWith(p_msg, '\\0')" : 'false',
        'avro_not_supported',
        lit('Avro (Confluent wire format) message: kafka-engine mode reads JSON only'),
      ],
      ['NOT p_valid_utf8', 'invalid_utf8', lit('message is not valid UTF-8')],
      ['NOT p_valid_json', 'invalid_json', lit('invalid JSON')],
      [
        "p_msg_type != 'Object'",
        'not_an_object',
        msg(lit('event must be a JSON object, got '), jsTypeName('p_msg_type')),
      ],
    ]),
    check([
      [
        `${props} = 'String' AND p_props_type = ''`,
        'wrong_type',
        lit('properties is a string but not valid JSON'),
      ],
      [
        `${props} NOT IN ('Missing', 'Null', 'Object') AND (${props} != 'String' OR p_props_type != 'Object')`,
        'wrong_type',
        msg(
          lit('properties must be an object, got '),
          jsTypeName(`if(${props} = 'String', p_props_type, ${props})`),
        ),
      ],
    ]),
    check([
      [
        `${ts} IN ('Missing', 'Null') OR (${ts} = 'String' AND p_ts_s = '')`,
        'missing_field',
        lit('timestamp is required'),
      ],
      [
        'p_ts_is_num AND NOT isFinite(p_ts_f)',
        'wrong_type',
        lit('timestamp must be a finite epoch-ms number'),
      ],
      [
        `${ts} = 'String' AND p_ts_parsed IS NULL`,
        'wrong_type',
        msg(lit('timestamp is not a timestamp: '), 'p_ts_s'),
      ],
      [
        `NOT p_ts_is_num AND ${ts} != 'String'`,
        'wrong_type',
        msg(lit('timestamp must be a string or epoch-ms number, got '), jsTypeName(ts)),
      ],
      ['p_ts_ms_f < 0', 'timestamp_before_1970', lit('timestamp is before 1970')],
      [
        `p_ts_ms_f > ${DATETIME64_MAX_MS}`,
        'timestamp_out_of_range',
        lit('timestamp is beyond DateTime64 range (2299-12-31)'),
      ],
      [
        'p_ts_future AND NOT p_ts_broker',
        'timestamp_in_future',
        msg(
          lit('timestamp is '),
          'toString(round((p_ts_ms_f - p_now_ms) / 1000))',
          lit(` s in the future (allowed: ${Math.round(decode.maxFutureSkewMs / 1000)} s)`),
        ),
      ],
    ]),
    ...['uuid', 'team_id', 'event', 'distinct_id'].map((k) => fields[k]?.check ?? "('', '')"),
    ...[
      'session_id',
      'url',
      'referrer',
      'host',
      'pathname',
      'utm_source',
      'utm_medium',
      'utm_campaign',
      'model',
      'provider',
      'tokens_prompt',
      'tokens_completion',
    ].map((k) => fields[k]?.check ?? "('', '')"),
    check([
      [
        `NOT ${costOk}`,
        'wrong_type',
        msg(
          lit('cost_usd must be a non-negative decimal below 1e10, got '),
          jsTypeName(typeAlias('cost_usd')),
        ),
      ],
    ]),
    ...['organization_id', 'project_id', 'api_key_id'].map((k) => fields[k]?.check ?? "('', '')"),
    check([
      [
        `length(p_props_out) > ${decode.maxPropertiesBytes}`,
        'properties_too_large',
        msg(
          lit('properties is '),
          'toString(length(p_props_out))',
          lit(` bytes, above the ${decode.maxPropertiesBytes}-byte limit`),
        ),
      ],
    ]),
  ];
  // The first non-empty check wins.
  return `arrayFirst(x -> x.1 != '', [${checks.join(', ')}, ('', '')])`;
}
