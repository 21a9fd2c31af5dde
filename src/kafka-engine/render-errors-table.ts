import { mergeTreeEngine, onClusterClause } from '../schema/engine-clause.ts';
import type { KafkaEngineObjects } from './object-names.ts';

/** Error rows are kept as long as the dead-letter topic keeps dead letters (30 days). */
const ERRORS_TTL_DAYS = 30;

/** The errors table: created once, never dropped (it holds data). */
export function renderErrorsTable(objects: KafkaEngineObjects): string {
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
