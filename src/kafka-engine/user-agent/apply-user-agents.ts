import { createHash } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import { onClusterClause } from '../../schema/engine-clause.ts';
import type { DictionarySourceAuth } from '../dictionary-ddl.ts';
import type { KafkaEngineObjects } from '../object-names.ts';
import type { ObjectState } from '../object-state.ts';
import { sqlString } from '../sql-literal.ts';
import { tableComment } from '../table-comment.ts';
import type { UapRegexpTree } from './uap-regexp-tree.ts';
import { userAgentDictionarySql, userAgentTableSql } from './user-agent-ddl.ts';

const USER_AGENT_COMMENT = 'hanzo-ingest uap-core ';

/** The uap-core regexes' table (rows reloaded only when they changed) and its dictionary. */
export async function applyUserAgents(
  client: ClickHouseClient,
  objects: KafkaEngineObjects,
  tree: UapRegexpTree,
  auth: DictionarySourceAuth,
): Promise<ObjectState> {
  const { table, dictionary } = objects.userAgent;
  const version = createHash('sha256').update(JSON.stringify(tree.rows)).digest('hex').slice(0, 16);
  const comment = `${USER_AGENT_COMMENT}${tree.version} ${version}`;
  await client.command({ query: userAgentTableSql(objects) });
  const loaded = (await tableComment(client, table)) === comment;
  if (!loaded) {
    const on = onClusterClause(objects.target);
    await client.command({ query: `TRUNCATE TABLE ${table}${on}` });
    await client.insert({ table, values: [...tree.rows], format: 'JSONEachRow' });
    await client.command({
      query: `ALTER TABLE ${table}${on} MODIFY COMMENT ${sqlString(comment)}`,
    });
  }
  await client.command({ query: userAgentDictionarySql(objects, auth) });
  await client.command({
    query: `SYSTEM RELOAD DICTIONARY ${dictionary}${onClusterClause(objects.target)}`,
  });
  return loaded ? 'unchanged' : 'loaded';
}
