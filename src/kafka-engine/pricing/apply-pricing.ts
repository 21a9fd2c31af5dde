import { createHash } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import { onClusterClause } from '../../schema/engine-clause.ts';
import {
  dataTableSql,
  dictionarySql,
  type DictionaryShape,
  type DictionarySourceAuth,
} from '../dictionary-ddl.ts';
import type { KafkaEngineObjects } from '../object-names.ts';
import type { ObjectState } from '../object-state.ts';
import { KafkaEngineSetupError } from '../setup-error.ts';
import { sqlString } from '../sql-literal.ts';
import { tableComment } from '../table-comment.ts';
import type { PricingTables } from './pricing-tables.ts';
import { pricingShapes } from './render-pricing-ddl.ts';

const PRICING_COMMENT = 'hanzo-ingest pricing ';

/**
 * The pricing tables and dictionaries: rows reloaded only when the data changed (its version
 * in the first table's comment), every dictionary (re)created and reloaded.
 */
export async function applyPricing(
  client: ClickHouseClient,
  objects: KafkaEngineObjects,
  tables: PricingTables,
  auth: DictionarySourceAuth,
): Promise<ObjectState> {
  await assertRegexesCompile(client, tables);
  const version = createHash('sha256').update(JSON.stringify(tables)).digest('hex').slice(0, 16);
  const shapes = pricingShapes(objects);
  const rows: readonly (readonly object[])[] = [tables.names, tables.models, tables.prices];
  const comment = `${PRICING_COMMENT}${tables.source} ${version}`;
  for (const shape of shapes) await client.command({ query: dataTableSql(objects, shape) });
  const first = shapes[0];
  if (first === undefined) throw new KafkaEngineSetupError('no pricing tables');
  const loaded = (await tableComment(client, first.table)) === comment;
  if (!loaded) {
    for (const [i, shape] of shapes.entries())
      await replaceRows(client, objects, shape, rows[i] ?? []);
    // The comment goes last: a load that stopped half-way is redone at the next start.
    await client.command({
      query: `ALTER TABLE ${first.table}${onClusterClause(objects.target)} MODIFY COMMENT ${sqlString(comment)}`,
    });
  }
  for (const shape of shapes) {
    await client.command({ query: dictionarySql(objects, shape, auth, 'COMPLEX_KEY_HASHED()') });
    await client.command({
      query: `SYSTEM RELOAD DICTIONARY ${shape.dictionary}${onClusterClause(objects.target)}`,
    });
  }
  return loaded ? 'unchanged' : 'loaded';
}

/**
 * New rows for a dictionary's table. The dictionary keeps serving its loaded copy (LIFETIME
 * 0 never reloads on its own) until the explicit reload after the insert.
 */
async function replaceRows(
  client: ClickHouseClient,
  objects: KafkaEngineObjects,
  shape: DictionaryShape,
  rows: readonly object[],
): Promise<void> {
  await client.command({
    query: `TRUNCATE TABLE ${shape.table}${onClusterClause(objects.target)}`,
  });
  if (rows.length > 0)
    await client.insert({ table: shape.table, values: [...rows], format: 'JSONEachRow' });
}

/** A pattern RE2 rejects would fail the parse view's creation: name it up front. */
async function assertRegexesCompile(
  client: ClickHouseClient,
  tables: PricingTables,
): Promise<void> {
  const { providerMatch, modelMatch, models } = tables.rules;
  const patterns = [
    ...new Set(
      [...providerMatch, ...modelMatch, ...models].flatMap((r) =>
        r.conjunction.filter((p) => p.kind === 'regex').map((p) => p.arg),
      ),
    ),
  ];
  const bad: string[] = [];
  for (const pattern of patterns) {
    try {
      await client.command({
        query: "SELECT match('x', {p:String})",
        query_params: { p: pattern },
      });
    } catch (err) {
      bad.push(`${pattern}: ${(err as Error).message.split('\n')[0] ?? ''}`);
    }
  }
  if (bad.length > 0) {
    throw new KafkaEngineSetupError(
      `pricing match rules ClickHouse cannot compile:\n  ${bad.join('\n  ')}`,
    );
  }
}
