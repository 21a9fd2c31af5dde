import { EVENT_COLUMNS } from '../../serialise/event-columns.ts';
import { uuidFromOrigin } from './origin-uuid-sql.ts';
import { USER_AGENT_COLUMNS } from './user-agent-sql.ts';

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

/**
 * The parse view's output columns, from its aliases (render-parse-select.ts): the parsed
 * table's columns but the cost, then FIELDS_EXTRA_COLUMNS.
 */
export function fieldsOutputColumns(): string[] {
  return [
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
