import { EVENT_COLUMNS } from '../../sink/event-columns.ts';
import type { DecodeConfig } from '../../config/schema.ts';
import type { KafkaEngineObjects } from '../object-names.ts';
import { sqlString, sqlStringArray } from '../sql-literal.ts';
import { clientIpSql, ipValue, type FieldPath } from './client-ip-sql.ts';
import {
  decimalText,
  fieldRaw,
  fieldType,
  jsonNumber,
  jsonType,
  optionalString,
  optionalUInt32,
  optionalUuid,
  requiredId,
  requiredString,
  requiredUInt64,
  typeAlias,
  type FieldSql,
} from './json-field-sql.ts';
import { llmPriceAliases, llmUsageAliases, type LlmCostSqlOptions } from './llm-cost-sql.ts';
import { uuidFromOrigin } from './origin-uuid-sql.ts';
import { DATETIME64_MAX_MS, problemExpression } from './parse-problems-sql.ts';
import { nestedScrubSql } from './nested-scrub-sql.ts';
import { rebuildProperties } from './properties-sql.ts';
import {
  foldUnknownAliases,
  geoipSwitchSql,
  sdkDeviceAliases,
  type FoldSqlOptions,
} from './sdk-fields-sql.ts';
import { stagedSelect } from './staged-select.ts';
import {
  USER_AGENT_COLUMNS,
  userAgentAliases,
  type UserAgentSqlOptions,
} from './user-agent-sql.ts';

export type { FieldPath } from './client-ip-sql.ts';

export interface ParseSelectOptions {
  readonly decode: Pick<
    DecodeConfig,
    | 'format'
    | 'maxMessageBytes'
    | 'maxPropertiesBytes'
    | 'maxFutureSkewMs'
    | 'timestampSkewPolicy'
    | 'maxDepth'
    | 'maxKeys'
    | 'maxStringLength'
  >;
  /** Top-level `properties` keys never stored (content scrubbing, the raw client IP). */
  readonly removeKeys: readonly string[];
  /** Nested `properties` keys never stored (dotted scrub keys, split at the dots). */
  readonly removePaths: readonly (readonly string[])[];
  /** Where the client IP is read, first non-empty string wins (geo on when given). */
  readonly ipFields: readonly FieldPath[];
  readonly geo: boolean;
  /** User agents in SQL (uap-core regexp_tree dictionary); undefined: off. */
  readonly userAgent?: UserAgentSqlOptions | undefined;
  /** LLM cost in SQL (the rules are rendered into the view); undefined: off. */
  readonly llmCost: LlmCostSqlOptions | undefined;
  /** `$geoip_disable`-style switches: on → no geo, `ipKeysWhenSwitched` removed too. */
  readonly geoipSwitches?: readonly FieldPath[];
  /** Top-level `properties` keys holding the IP, removed when a switch is on (keepRawIp). */
  readonly ipKeysWhenSwitched?: readonly string[];
  /** Top-level fields kept out of the folding (a top-level IP field's root). */
  readonly fold?: FoldSqlOptions;
}

/**
 * The timestamp texts the worker reads (ISO 8601 / 'YYYY-MM-DD hh:mm:ss[.fff]', zone
 * optional), with the ranges Date.parse checks: month 1–12, day 1–31 (a day past the month's
 * end rolls over, 02-30 is 03-01), hour 0–23 or 24:00 (the next midnight), minutes and seconds
 * 0–59, zone hours 0–23.
 */
const TIMESTAMP_TEXT =
  '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])([T ](([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9]([.][0-9]+)?)?|24:00(:00([.]0+)?)?)(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?)?$';
/** Parsed as the 1st at hh (24 → 00), then the days and the 24th hour added as Date.parse rolls them. */
const TIMESTAMP_AT_FIRST =
  "concat(substring(p_ts_s, 1, 8), '01', replaceRegexpOne(substring(p_ts_s, 11), '^([T ])24:', '\\\\100:'))";
const TIMESTAMP_ROLLOVER_MS =
  "(toInt64(substring(p_ts_s, 9, 2)) - 1 + if(match(p_ts_s, '^.{10}[T ]24:'), 1, 0)) * 86400000";
const SPECIAL_URL = '^(?i)(https?|wss?|ftp)://[^/?#]';

/** Columns of the raw table the parse view reads (the message and the engine's virtual columns). */
const SOURCE_COLUMNS =
  '_topic, _partition, _offset, _key, _timestamp_ms, _error, _raw_message, message';

/**
 * The parse view's SELECT: raw Kafka messages (`message` plus the Kafka engine's virtual
 * columns `_topic`, `_partition`, `_offset`, `_key`, `_timestamp_ms`, `_error`,
 * `_raw_message`) → the fields table: every `events` column but the cost, `error_class` /
 * `error` (empty for a good row), the raw message, its key and timestamp, and the LLM usage
 * the pricing view needs (FIELDS_EXTRA_COLUMNS).
 *
 * It applies the worker's decode rules (src/decode: normalize-event.ts, field-readers.ts,
 * parse-timestamp.ts, deterministic-uuid.ts) and what enrichment SQL can do, in the same
 * order, with the same dead-letter classes, and never throws whatever the bytes, so one bad
 * message can never stop the consumer.
 */
export function renderFieldsSelect(
  objects: KafkaEngineObjects,
  source: string,
  options: ParseSelectOptions,
): string {
  const { aliases, outer } = parseSelectParts(objects, options);
  return stagedSelect(`SELECT ${SOURCE_COLUMNS} FROM ${source}`, aliases, outer);
}

/** What the fields table carries beyond the parsed table's columns, for the pricing view. */
export const FIELDS_EXTRA_COLUMNS: readonly (readonly [string, string])[] = [
  ['p_event', 'String'],
  ['p_ts_ms', 'Int64'],
  ['p_cost_text1', 'String'],
  ['p_cost_src1', 'String'],
  ['p_u_cr', 'UInt32'],
  ['p_u_cw', 'UInt32'],
  ['p_u_r', 'UInt32'],
  ['p_llm_m', 'String'],
  ['p_llm_p', 'String'],
];

/**
 * The pricing view's SELECT: fields table → parsed table, adding `cost_usd` and
 * `cost_source` (llm-cost-sql.ts). A view of its own on purpose: its hundreds of match
 * conditions then read materialised columns — inside one view, ClickHouse's short-circuit
 * evaluation recomputes a lazily evaluated input at every condition, gigabytes per block.
 */
export function renderPricedSelect(
  objects: KafkaEngineObjects,
  fieldsTable: string,
  options: Pick<ParseSelectOptions, 'llmCost'>,
): string {
  const passed = PARSED_COLUMN_NAMES.filter((c) => c !== 'cost_usd' && c !== 'cost_source');
  const aliases: [string, string][] = [
    ['p_model', 'model'],
    ['p_tp', 'tokens_prompt'],
    ['p_tc', 'tokens_completion'],
    ...llmPriceAliases(objects, options.llmCost),
  ];
  const outer = PARSED_COLUMN_NAMES.map((c) =>
    c === 'cost_usd'
      ? 'toDecimal64OrZero(p_cost_text, 8) AS cost_usd'
      : c === 'cost_source'
        ? 'p_cost_src AS cost_source'
        : c,
  );
  const base = `SELECT ${[...passed, ...FIELDS_EXTRA_COLUMNS.map(([n]) => n)].join(', ')} FROM ${fieldsTable}`;
  return stagedSelect(base, aliases, outer);
}

/** The parsed table's columns, in order (render-kafka-engine.ts declares their types). */
export const PARSED_COLUMN_NAMES = [
  // retention_months comes from the team-retention dictionary in the rows view, not the message.
  ...EVENT_COLUMNS.filter((c) => c !== '_ingested_at' && c !== 'retention_months'),
  'error_class',
  'error',
  'message',
  'kafka_key',
  'kafka_timestamp',
] as const;

/** The parse view's named expressions (in dependency order) and its output columns. */
export function parseSelectParts(
  objects: KafkaEngineObjects,
  options: ParseSelectOptions,
): { aliases: [string, string][]; outer: string[] } {
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
  const nested = nestedScrubSql(options.removePaths);
  const skewed = decode.timestampSkewPolicy === 'broker-time';
  const ip = clientIpSql(ipValue(options.ipFields));
  const switchedIpKeys = options.ipKeysWhenSwitched ?? [];
  const removeWhenSwitched = sqlStringArray([...options.removeKeys, ...switchedIpKeys]);

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
    // SDK fields (sdk-fields-sql.ts): device columns, the geo switch, unknown top-level fields.
    ...sdkDeviceAliases(),
    ['p_geo_off', geoipSwitchSql(options.geoipSwitches ?? [])],
    ...foldUnknownAliases(options.fold ?? { neverFolded: [], notFoldedWhenSwitched: [] }),
    // timestamp
    ['p_ts_f', jsonNumber(fieldRaw('timestamp'))],
    ['p_ts_s', `trimBoth(JSONExtractString(${fieldRaw('timestamp')}))`],
    ['p_ts_is_num', `${typeAlias('timestamp')} IN ('Int64', 'UInt64', 'Double')`],
    [
      'p_ts_parsed',
      `if(${typeAlias('timestamp')} = 'String' AND match(p_ts_s, '${TIMESTAMP_TEXT}'), parseDateTime64BestEffortOrNull(${TIMESTAMP_AT_FIRST}, 3, 'UTC'), NULL)`,
    ],
    // Years the parser would clamp are judged on the text, as Date.parse sees them.
    ['p_ts_year', 'toUInt32OrZero(substring(p_ts_s, 1, 4))'],
    [
      'p_ts_ms_f',
      `multiIf(p_ts_is_num, trunc(p_ts_f), p_ts_parsed IS NOT NULL AND p_ts_year > 2299, 1e16, p_ts_parsed IS NOT NULL, toFloat64(toUnixTimestamp64Milli(assumeNotNull(p_ts_parsed)) + ${TIMESTAMP_ROLLOVER_MS}), nan)`,
    ],
    ['p_now_ms', 'toUnixTimestamp64Milli(now64(3))'],
    [
      'p_ts_future',
      `isFinite(p_ts_ms_f) AND p_ts_ms_f >= 0 AND p_ts_ms_f <= ${DATETIME64_MAX_MS} AND p_ts_ms_f > p_now_ms + ${decode.maxFutureSkewMs}`,
    ],
    ['p_ts_broker', skewed ? 'p_ts_future AND _timestamp_ms IS NOT NULL' : 'false'],
    [
      'p_ts_ms',
      `if(p_ts_broker, toUnixTimestamp64Milli(assumeNotNull(_timestamp_ms)), toInt64(if(isFinite(p_ts_ms_f) AND p_ts_ms_f >= 0 AND p_ts_ms_f <= ${DATETIME64_MAX_MS}, p_ts_ms_f, 0)))`,
    ],
    // Field values (valid even when a check fails).
    ...Object.entries(fields).map(([key, f]): [string, string] => [`p_v_${key}`, f.value]),
    // Privacy: keys never stored are dropped from properties (the worker re-serialises then).
    // (Nested removals leave top-level scalars, all the LLM step reads, as they are.)
    ['p_pm_kept', `mapFilter((k, v) -> NOT has(${removeKeys}, k), p_pm)`],
    ...nested.aliases,
    // JSON text given as a string is stored verbatim unless a key had to go; an object is
    // re-serialised, as the worker's JSON.stringify does (key order included).
    [
      'p_props_changed',
      `p_ts_broker OR ${typeAlias('properties')} = 'Object' OR length(p_unk) > 0 OR hasAny(arrayMap(kv -> kv.1, p_pkv), ${removeKeys})${nested.changed === undefined ? '' : ` OR ${nested.changed}`}${switchedIpKeys.length === 0 ? '' : ` OR (p_geo_off AND hasAny(arrayMap(kv -> kv.1, p_pkv), ${sqlStringArray(switchedIpKeys)}))`}`,
    ],
    ['p_pkv_all', `arrayConcat(${nested.members}, p_fold_kv)`],
    [
      'p_props_out',
      switchedIpKeys.length === 0
        ? `if(p_props_changed, ${rebuildProperties(removeKeys, 'p_pkv_all')}, p_props_text)`
        : `if(p_props_changed, if(p_geo_off, ${rebuildProperties(removeWhenSwitched, 'p_pkv_all')}, ${rebuildProperties(removeKeys, 'p_pkv_all')}), p_props_text)`,
    ],
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
        ? `if(p_ip_routed AND NOT p_geo_off, dictGet(${sqlString(objects.geo.locationsDictionary)}, ('country_code', 'region', 'city'), dictGet(${sqlString(objects.geo.dictionary)}, 'location', tuple(assumeNotNull(p_ip6)))), ('', '', ''))`
        : "('', '', '')",
    ],
    // Device columns from the user agent (one alias per column: USER_AGENT_COLUMNS).
    ...userAgentAliases(objects.userAgent.dictionary, options.userAgent),
    // LLM cost inputs.
    ['p_event', `p_v_event`],
    ['p_model0', 'p_v_model'],
    ['p_provider0', 'p_v_provider'],
    ['p_tp0', 'p_v_tokens_prompt'],
    ['p_tc0', 'p_v_tokens_completion'],
    ['p_cost_text0', cost.text],
    ['p_cost_src0', `if(${costType} IN ('Missing', 'Null'), '', 'provided')`],
    ...llmUsageAliases(options.llmCost !== undefined),
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
    // The SDK's device values win; the user agent fills what it left empty (sdk-fields-sql.ts).
    ...deviceColumnsSelect(),
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
    ...FIELDS_EXTRA_COLUMNS.map(([n]) => n),
  ];
  return { aliases, outer };
}

function propType(key: string): string {
  const k = sqlString(key);
  return `if(mapContains(p_pm, ${k}), ${jsonType(`p_pm[${k}]`)}, 'Missing')`;
}

/**
 * The device columns as the worker merges them (merge-device-columns.ts): `browser` and `os`
 * from the SDK when it sent them, else from the user agent, each version from the same source
 * as its name; `device_type` the SDK's unless the user agent is a bot's (or the SDK sent none).
 */
function deviceColumnsSelect(): string[] {
  const ua = USER_AGENT_COLUMNS;
  const pair = (name: 'browser' | 'os'): string[] => [
    `if(p_sdk_${name} != '', p_sdk_${name}, ${ua[name]}) AS ${name}`,
    `if(p_sdk_${name} != '', p_sdk_${name}_version, ${ua[`${name}_version`]}) AS ${name}_version`,
  ];
  return [
    ...pair('browser'),
    ...pair('os'),
    `if(p_sdk_device_type = '' OR ${ua.device_type} = 'bot', ${ua.device_type}, p_sdk_device_type) AS device_type`,
  ];
}
