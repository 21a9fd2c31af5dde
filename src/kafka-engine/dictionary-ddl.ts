import { mergeTreeEngine, onClusterClause } from '../schema/engine-clause.ts';
import type { KafkaEngineObjects } from './object-names.ts';
import { sqlString } from './sql-literal.ts';

/**
 * A dictionary over a table of the same columns, both created by the applier: the table
 * holds the rows (replicated on a cluster), the dictionary serves them from memory.
 */
export interface DictionaryShape {
  readonly table: string;
  readonly dictionary: string;
  readonly key: readonly (readonly [string, string])[];
  readonly attributes: readonly (readonly [string, string])[];
}

/**
 * How dictionaries read their source tables on this server. No host: the local server; the
 * password is hidden by ClickHouse in SHOW CREATE and system tables.
 */
export interface DictionarySourceAuth {
  readonly user: string;
  readonly password: string;
}

export function dataTableSql(objects: KafkaEngineObjects, shape: DictionaryShape): string {
  const columns = [...shape.key, ...shape.attributes].map(([n, t]) => `    ${n} ${t}`).join(',\n');
  const local = shape.table.slice(shape.table.indexOf('.') + 1);
  return [
    `CREATE TABLE IF NOT EXISTS ${shape.table}${onClusterClause(objects.target)}`,
    `(\n${columns}\n)`,
    `ENGINE = ${mergeTreeEngine(objects.target, local, 'MergeTree')}`,
    `ORDER BY (${shape.key.map(([n]) => n).join(', ')})`,
  ].join('\n');
}

export function dictionarySql(
  objects: KafkaEngineObjects,
  shape: DictionaryShape,
  auth: DictionarySourceAuth,
  layout: string,
): string {
  const attributes = [...shape.key, ...shape.attributes]
    .map(([n, t]) => `    ${n} ${t}`)
    .join(',\n');
  const table = shape.table.slice(shape.table.indexOf('.') + 1);
  return [
    `CREATE OR REPLACE DICTIONARY ${shape.dictionary}${onClusterClause(objects.target)}`,
    `(\n${attributes}\n)`,
    `PRIMARY KEY ${shape.key.map(([n]) => n).join(', ')}`,
    `SOURCE(CLICKHOUSE(DB ${sqlString(objects.database)} TABLE ${sqlString(table)} USER ${sqlString(auth.user)} PASSWORD ${sqlString(auth.password)}))`,
    // Loaded in full; the applier reloads after replacing the rows (LIFETIME 0: never on its own).
    'LIFETIME(0)',
    `LAYOUT(${layout})`,
  ].join('\n');
}
