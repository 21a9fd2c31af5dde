import { EVENT_COLUMNS } from '../serialise/event-columns.ts';

/** The columns of the pipeline's pass-through (Null) tables, with their types. */

/** Columns the views write into `events`: the worker's own column list (created_at keeps its default). */
export const EVENT_COLUMNS_FROM_KAFKA = EVENT_COLUMNS;

/** The parsed (Null) table: every column the parse select produces. */
export const PARSED_COLUMNS: readonly (readonly [string, string])[] = [
  ['uuid', 'UUID'],
  ['team_id', 'UInt64'],
  ['distinct_id', 'String'],
  ['session_id', 'String'],
  ['event', 'String'],
  ['timestamp', "DateTime64(3, 'UTC')"],
  ['properties', 'String'],
  ['url', 'String'],
  ['referrer', 'String'],
  ['host', 'String'],
  ['pathname', 'String'],
  ['browser', 'String'],
  ['browser_version', 'String'],
  ['os', 'String'],
  ['os_version', 'String'],
  ['device_type', 'String'],
  ['country_code', 'FixedString(2)'],
  ['city', 'String'],
  ['region', 'String'],
  ['utm_source', 'String'],
  ['utm_medium', 'String'],
  ['utm_campaign', 'String'],
  ['model', 'String'],
  ['provider', 'String'],
  ['tokens_prompt', 'UInt32'],
  ['tokens_completion', 'UInt32'],
  ['cost_usd', 'Decimal64(8)'],
  ['cost_source', 'String'],
  ['organization_id', 'String'],
  ['project_id', 'String'],
  ['api_key_id', 'String'],
  ['_topic', 'String'],
  ['_partition', 'UInt16'],
  ['_offset', 'UInt64'],
  ['error_class', 'String'],
  ['error', 'String'],
  ['message', 'String'],
  ['kafka_key', 'String'],
  ['kafka_timestamp', "Nullable(DateTime64(3, 'UTC'))"],
];

/** The raw table: the message and the Kafka engine's virtual columns, as real columns. */
export const KAFKA_SOURCE_COLUMNS: readonly (readonly [string, string])[] = [
  ['message', 'String'],
  ['_topic', 'LowCardinality(String)'],
  ['_partition', 'UInt64'],
  ['_offset', 'UInt64'],
  ['_key', 'String'],
  ['_timestamp_ms', 'Nullable(DateTime64(3))'],
  ['_error', 'String'],
  ['_raw_message', 'String'],
];
