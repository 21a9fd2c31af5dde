import { mergeTreeEngine, onClusterClause } from '../../schema/engine-clause.ts';
import type { DictionarySourceAuth } from '../dictionary-ddl.ts';
import type { KafkaEngineObjects } from '../object-names.ts';
import { sqlString } from '../sql-literal.ts';
import { USER_AGENT_ATTRIBUTES } from './uap-regexp-tree.ts';

/**
 * The user-agent dictionary: a `regexp_tree` over a table source (id, parent_id, regexp,
 * keys, values) — a YAMLRegExpTree file would have to sit in the server's user_files on
 * every replica, and some builds (chDB) have no YAML support at all.
 */
export function userAgentTableSql(objects: KafkaEngineObjects): string {
  const { table } = objects.userAgent;
  const local = table.slice(table.indexOf('.') + 1);
  return [
    `CREATE TABLE IF NOT EXISTS ${table}${onClusterClause(objects.target)}`,
    '(\n    id UInt64,\n    parent_id UInt64,\n    regexp String,\n    keys Array(String),\n    values Array(String)\n)',
    `ENGINE = ${mergeTreeEngine(objects.target, local, 'MergeTree')}`,
    'ORDER BY id',
  ].join('\n');
}

export function userAgentDictionarySql(
  objects: KafkaEngineObjects,
  auth: DictionarySourceAuth,
): string {
  const { table, dictionary } = objects.userAgent;
  const attributes = ['regexp', ...USER_AGENT_ATTRIBUTES].map((n) => `    ${n} String`).join(',\n');
  return [
    `CREATE OR REPLACE DICTIONARY ${dictionary}${onClusterClause(objects.target)}`,
    `(\n${attributes}\n)`,
    'PRIMARY KEY regexp',
    `SOURCE(CLICKHOUSE(DB ${sqlString(objects.database)} TABLE ${sqlString(table.slice(table.indexOf('.') + 1))} USER ${sqlString(auth.user)} PASSWORD ${sqlString(auth.password)}))`,
    'LIFETIME(0)',
    'LAYOUT(REGEXP_TREE)',
  ].join('\n');
}
