import { DEFAULT_RETENTION_MONTHS } from '../decode/event-row.ts';
import { EVENT_COLUMNS } from '../sink/event-columns.ts';
import { createHash } from 'node:crypto';
import { mergeTreeEngine, onClusterClause } from '../schema/engine-clause.ts';
import type { KafkaEngineObjects } from './object-names.ts';
import { sqlString } from './sql-literal.ts';
import type { ParseSelectOptions } from './sql/parse-select-options.ts';
import { FIELDS_EXTRA_COLUMNS } from './sql/parsed-columns-sql.ts';
import { renderFieldsSelect } from './sql/render-parse-select.ts';
import { renderPricedSelect } from './sql/render-priced-select.ts';

/** Settings of the Kafka table (HIP-47's Kafka-engine path). */
export interface KafkaTableSettings {
  readonly brokers: readonly string[];
  readonly topics: readonly string[];
  /** The consumer group: the worker mode's group, so a mode switch hands over at its offsets. */
  readonly groupName: string;
  readonly clientId: string;
  readonly numConsumers: number;
  readonly maxBlockSize: number;
  readonly flushIntervalMs: number;
  readonly threadPerConsumer: boolean;
}

/** Columns the views write into `events`: the worker's own column list (created_at keeps its default). */
export const EVENT_COLUMNS_FROM_KAFKA = EVENT_COLUMNS;

/** The parsed (Null) table: every column the parse select produces. */
const PARSED_COLUMNS: readonly (readonly [string, string])[] = [
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

/** Error rows are kept as long as the dead-letter topic keeps dead letters (30 days). */
const ERRORS_TTL_DAYS = 30;

export interface KafkaEngineDdl {
  /** The errors table: created once, never dropped (it holds data). */
  readonly errorsTable: string;
  /** The consuming pipeline, in creation order. */
  readonly pipeline: readonly string[];
  /** Stops consumption and removes the pipeline (never the errors table, never events). */
  readonly drop: readonly string[];
  /** Hash of the pipeline's DDL, kept as the Kafka table's comment to detect changes. */
  readonly fingerprint: string;
}

export const KAFKA_TABLE_COMMENT_PREFIX = 'hanzo-ingest kafka-engine pipeline ';

/**
 * `teamRetention`: rows take their team's retention_months from the team-retention dictionary
 * (team-retention-ddl.ts), else HIP-47's 12 months.
 */
export function renderKafkaEngineDdl(
  objects: KafkaEngineObjects,
  kafka: KafkaTableSettings,
  parse: ParseSelectOptions,
  teamRetention = false,
): KafkaEngineDdl {
  const on = onClusterClause(objects.target);
  const parsedTable = nullTableDdl(objects.parsedTable, on, PARSED_COLUMNS);
  const rowsView = [
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${objects.rowsView}${on}`,
    `TO ${objects.eventsTable}`,
    'AS SELECT',
    EVENT_COLUMNS_FROM_KAFKA.map((c) =>
      c === '_ingested_at'
        ? '    now64(3) AS _ingested_at'
        : c === 'retention_months'
          ? `    ${retentionMonthsSql(objects, teamRetention)} AS retention_months`
          : `    ${c}`,
    ).join(',\n'),
    `FROM ${objects.parsedTable}`,
    "WHERE error_class = ''",
  ].join('\n');
  const errorsView = [
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${objects.errorsView}${on}`,
    `TO ${objects.errorsTable}`,
    'AS SELECT',
    '    _topic, _partition, _offset, kafka_key, kafka_timestamp, error_class, error, message,',
    '    now64(3) AS _ingested_at',
    `FROM ${objects.parsedTable}`,
    "WHERE error_class != ''",
  ].join('\n');
  const settings: [string, string][] = [
    ['kafka_broker_list', sqlString(kafka.brokers.join(','))],
    ['kafka_topic_list', sqlString(kafka.topics.join(','))],
    ['kafka_group_name', sqlString(kafka.groupName)],
    ['kafka_client_id', sqlString(kafka.clientId)],
    // One row per message, the bytes as they are: every rule lives in the parse view.
    ['kafka_format', "'RawBLOB'"],
    ['kafka_num_consumers', String(kafka.numConsumers)],
    ['kafka_max_block_size', String(kafka.maxBlockSize)],
    ['kafka_flush_interval_ms', String(kafka.flushIntervalMs)],
    ['kafka_thread_per_consumer', kafka.threadPerConsumer ? '1' : '0'],
    ['kafka_handle_error_mode', "'stream'"],
  ];
  const kafkaTableBody = [
    `CREATE TABLE IF NOT EXISTS ${objects.kafkaTable}${on}`,
    '(\n    message String\n)',
    'ENGINE = Kafka',
    `SETTINGS\n${settings.map(([k, v]) => `    ${k} = ${v}`).join(',\n')}`,
  ].join('\n');
  const rawTable = nullTableDdl(objects.rawTable, on, KAFKA_SOURCE_COLUMNS);
  const fieldsColumns = [
    ...PARSED_COLUMNS.filter(([n]) => n !== 'cost_usd' && n !== 'cost_source'),
    ...FIELDS_EXTRA_COLUMNS,
  ];
  const fieldsTable = nullTableDdl(objects.fieldsTable, on, fieldsColumns);
  const priceView = [
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${objects.priceView}${on}`,
    `TO ${objects.parsedTable}`,
    `AS ${renderPricedSelect(objects, objects.fieldsTable, parse)}`,
  ].join('\n');
  const parseView = [
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${objects.parseView}${on}`,
    `TO ${objects.fieldsTable}`,
    `AS ${renderFieldsSelect(objects, objects.rawTable, parse)}`,
  ].join('\n');
  // The Kafka engine streams only to views that select from it directly (a view over
  // subqueries is not seen as its dependant): a plain copy into the raw Null table, whose
  // own views do the work. Tests insert into the raw table to run the very same views.
  const rawView = [
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${objects.rawView}${on}`,
    `TO ${objects.rawTable}`,
    `AS SELECT ${KAFKA_SOURCE_COLUMNS.map(([n]) => n).join(', ')}`,
    `FROM ${objects.kafkaTable}`,
  ].join('\n');
  const fingerprint = createHash('sha256')
    .update(
      [
        rawTable,
        fieldsTable,
        parsedTable,
        rowsView,
        errorsView,
        priceView,
        parseView,
        kafkaTableBody,
        rawView,
      ].join('\n;\n'),
    )
    .digest('hex')
    .slice(0, 16);
  const kafkaTable = `${kafkaTableBody}\nCOMMENT ${sqlString(KAFKA_TABLE_COMMENT_PREFIX + fingerprint)}`;
  return {
    errorsTable: renderErrorsTable(objects),
    // Everything downstream first; the Kafka table and its one view last, so no block is
    // read before every view exists.
    pipeline: [
      rawTable,
      fieldsTable,
      parsedTable,
      rowsView,
      errorsView,
      priceView,
      parseView,
      kafkaTable,
      rawView,
    ],
    drop: renderPipelineDrop(objects),
    fingerprint,
  };
}

/** Stops consumption and removes the pipeline (never the errors table, never events). */
export function renderPipelineDrop(objects: KafkaEngineObjects): string[] {
  const on = onClusterClause(objects.target);
  return [
    // The copy view first: the Kafka table stops consuming once nothing reads it.
    `DROP VIEW IF EXISTS ${objects.rawView}${on} SYNC`,
    `DROP TABLE IF EXISTS ${objects.kafkaTable}${on} SYNC`,
    `DROP VIEW IF EXISTS ${objects.parseView}${on} SYNC`,
    `DROP VIEW IF EXISTS ${objects.priceView}${on} SYNC`,
    `DROP VIEW IF EXISTS ${objects.rowsView}${on} SYNC`,
    `DROP VIEW IF EXISTS ${objects.errorsView}${on} SYNC`,
    `DROP TABLE IF EXISTS ${objects.fieldsTable}${on} SYNC`,
    `DROP TABLE IF EXISTS ${objects.parsedTable}${on} SYNC`,
    `DROP TABLE IF EXISTS ${objects.rawTable}${on} SYNC`,
  ];
}

function renderErrorsTable(objects: KafkaEngineObjects): string {
  const local = objects.errorsTable.slice(objects.errorsTable.indexOf('.') + 1);
  return [
    `CREATE TABLE IF NOT EXISTS ${objects.errorsTable}${onClusterClause(objects.target)}`,
    '(',
    '    _topic LowCardinality(String),',
    '    _partition UInt16,',
    '    _offset UInt64,',
    '    kafka_key String CODEC(ZSTD(3)),',
    "    kafka_timestamp Nullable(DateTime64(3, 'UTC')),",
    '    error_class LowCardinality(String),',
    '    error String CODEC(ZSTD(3)),',
    '    message String CODEC(ZSTD(3)),',
    "    _ingested_at DateTime64(3, 'UTC') DEFAULT now64(3)",
    ')',
    // A message re-read after a restart replaces its earlier row (same topic, partition, offset).
    `ENGINE = ${mergeTreeEngine(objects.target, local, 'ReplacingMergeTree')}`,
    'PARTITION BY toYYYYMM(_ingested_at)',
    'ORDER BY (_topic, _partition, _offset)',
    `TTL toDateTime(_ingested_at) + INTERVAL ${ERRORS_TTL_DAYS} DAY DELETE`,
  ].join('\n');
}

function retentionMonthsSql(objects: KafkaEngineObjects, teamRetention: boolean): string {
  const fallback = `toUInt16(${DEFAULT_RETENTION_MONTHS})`;
  return teamRetention
    ? `dictGetOrDefault(${sqlString(objects.retention.dictionary)}, 'retention_months', team_id, ${fallback})`
    : fallback;
}

/** A `Null`-engine table: rows pass through it to the views reading it, none are stored. */
function nullTableDdl(
  name: string,
  on: string,
  columns: readonly (readonly [string, string])[],
): string {
  return [
    `CREATE TABLE IF NOT EXISTS ${name}${on}`,
    `(\n${columns.map(([n, t]) => `    ${n} ${t}`).join(',\n')}\n)`,
    'ENGINE = Null',
  ].join('\n');
}
