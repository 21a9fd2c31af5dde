import type { ColumnField, IdentityField } from '../../decode/top-level-fields.ts';
import type { KafkaEngineObjects } from '../object-names.ts';
import { sqlString } from '../sql-literal.ts';
import { clientIpSql, ipValue } from './client-ip-sql.ts';
import {
  optionalString,
  optionalUInt32,
  optionalUuid,
  requiredId,
  requiredString,
  requiredUInt64,
  type FieldSql,
} from './json-field-sql.ts';
import { fieldRaw, fieldType, typeAlias } from './json-value-sql.ts';
import { llmUsageAliases } from './llm-usage-sql.ts';
import { decimalText } from './number-text-sql.ts';
import { problemExpression } from './parse-problems-sql.ts';
import type { ParseSelectOptions } from './parse-select-options.ts';
import { fieldsOutputColumns } from './parsed-columns-sql.ts';
import { storedPropertiesAliases } from './properties-sql.ts';
import { propertyColumnAliases, utmFromUrlAliases } from './property-columns-sql.ts';
import { foldUnknownAliases, geoipSwitchSql, sdkDeviceAliases } from './sdk-fields-sql.ts';
import { stagedSelect } from './staged-select.ts';
import { timestampAliases } from './timestamp-sql.ts';
import { userAgentAliases } from './user-agent-sql.ts';

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

/** The parse view's named expressions (in dependency order) and its output columns. */
export function parseSelectParts(
  objects: KafkaEngineObjects,
  options: ParseSelectOptions,
): { aliases: [string, string][]; outer: string[] } {
  const { decode } = options;
  // Every identity and column field but cost_usd, read apart for the pricing view (cost below).
  const fields: Readonly<Record<string, FieldSql>> = {
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
  } satisfies Record<Exclude<IdentityField | ColumnField, 'cost_usd'>, FieldSql>;
  const typed = [...Object.keys(fields), 'properties', 'timestamp', 'cost_usd'];
  const costType = typeAlias('cost_usd');
  const cost = decimalText(fieldRaw('cost_usd'), costType);
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
    // SDK fields (sdk-fields-sql.ts): device columns, the geo switch, unknown top-level fields.
    ...sdkDeviceAliases(),
    ['p_geo_off', geoipSwitchSql(options.geoipSwitches ?? [])],
    ...foldUnknownAliases(options.fold ?? { neverFolded: [], notFoldedWhenSwitched: [] }),
    // timestamp
    ...timestampAliases(decode),
    // Field values (valid even when a check fails).
    ...Object.entries(fields).map(([key, f]): [string, string] => [`p_v_${key}`, f.value]),
    ...storedPropertiesAliases(options),
    // Columns from properties, as string-from-properties.ts stringFrom; host and path from the URL.
    ...propertyColumnAliases(fields),
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
    ...utmFromUrlAliases(),
    // The first problem, in the worker's order.
    ['p_problem', problemExpression(fields, cost.ok, decode)],
  ];
  return { aliases, outer: fieldsOutputColumns() };
}
