import { createHash } from 'node:crypto';
import { DEFAULT_RETENTION_MONTHS } from '../decode/event-row.ts';
import { onClusterClause } from '../schema/engine-clause.ts';
import type { KafkaEngineObjects } from './object-names.ts';
import {
  EVENT_COLUMNS_FROM_KAFKA,
  KAFKA_SOURCE_COLUMNS,
  PARSED_COLUMNS,
} from './pipeline-columns.ts';
import { renderErrorsTable } from './render-errors-table.ts';
import { renderKafkaTable, type KafkaTableSettings } from './render-kafka-table.ts';
import { renderPipelineDrop } from './render-pipeline-drop.ts';
import { sqlString } from './sql-literal.ts';
import type { ParseSelectOptions } from './sql/parse-select-options.ts';
import { FIELDS_EXTRA_COLUMNS } from './sql/parsed-columns-sql.ts';
import { renderFieldsSelect } from './sql/render-parse-select.ts';
import { renderPricedSelect } from './sql/render-priced-select.ts';

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
  const kafkaTableBody = renderKafkaTable(objects, kafka, on);
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
