import { onClusterClause } from '../schema/engine-clause.ts';
import type { KafkaEngineObjects } from './object-names.ts';

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
