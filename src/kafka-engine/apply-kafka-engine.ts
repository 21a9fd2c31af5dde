import { createHash } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import { IngestError } from '../errors.ts';
import { bookkeepingStatements } from '../migrate/bookkeeping-tables.ts';
import { acquireMigrationLock, type LockLogger } from '../migrate/migration-lock.ts';
import { onClusterClause } from '../schema/engine-clause.ts';
import {
  dataTableSql,
  dictionarySql,
  type DictionarySourceAuth,
  type DictionaryShape,
} from './dictionary-ddl.ts';
import { reloadGeo, stageGeo, swapInGeo, type GeoLoad } from './geo/apply-geo.ts';
import { bundledGeoNetworks } from './geo/bundled-geo-networks.ts';
import type { GeoSource } from './geo/geo-source.ts';
import type { KafkaEngineObjects } from './object-names.ts';
import type { KafkaEngineOptions } from './options.ts';
import type { PricingTables } from './pricing/pricing-tables.ts';
import { pricingShapes } from './pricing/render-pricing-ddl.ts';
import {
  EVENT_COLUMNS_FROM_KAFKA,
  KAFKA_TABLE_COMMENT_PREFIX,
  renderKafkaEngineDdl,
  renderPipelineDrop,
} from './render-kafka-engine.ts';
import { sqlString } from './sql-literal.ts';
import { tableComment } from './table-comment.ts';
import { loadUapRegexpTree, type UapRegexpTree } from './user-agent/uap-regexp-tree.ts';
import { userAgentDictionarySql, userAgentTableSql } from './user-agent/user-agent-ddl.ts';

/** The Kafka-engine pipeline cannot be set up as configured (missing events table, bad pricing regex…). */
export class KafkaEngineSetupError extends IngestError {
  constructor(message: string, cause?: unknown) {
    super(message, { retriable: false, cause });
  }
}

export interface ApplyKafkaEngineInput {
  readonly objects: KafkaEngineObjects;
  readonly options: KafkaEngineOptions;
  /** The ClickHouse user the dictionaries read their tables as. */
  readonly auth: DictionarySourceAuth;
  /** Present when LLM cost is on. */
  readonly pricing: PricingTables | undefined;
  /** The geo networks when a file is configured (default: the worker's geo databases). */
  readonly geo: GeoSource | undefined;
  /** The uap-core regexes when user agents are on (default: the bundled package's). */
  readonly userAgent?: UapRegexpTree | undefined;
  /** Lock owner (host:pid…). */
  readonly owner: string;
  readonly logger?: LockLogger;
}

export type ObjectState = 'created' | 'replaced' | 'unchanged' | 'loaded' | 'off';

export interface ApplyKafkaEngineResult {
  readonly pipeline: ObjectState;
  readonly pricing: ObjectState;
  readonly geo: ObjectState;
  /** How many networks and places were loaded, and how long it took. */
  readonly geoLoad: (GeoLoad & { readonly reloadSeconds: number }) | undefined;
  readonly userAgent: ObjectState;
  readonly fingerprint: string;
}

const PRICING_COMMENT = 'hanzo-ingest pricing ';
const USER_AGENT_COMMENT = 'hanzo-ingest uap-core ';

/**
 * Applies Kafka-engine mode: pricing and geo dictionaries (rows reloaded only when their data
 * changed), the errors table, then the consuming pipeline — re-created only when its DDL
 * changed (fingerprint in the Kafka table's comment), so restarts and several replicas
 * applying at once leave a running pipeline alone. One applier at a time (the migration lock).
 */
export async function applyKafkaEngine(
  client: ClickHouseClient,
  input: ApplyKafkaEngineInput,
): Promise<ApplyKafkaEngineResult> {
  const { objects, options } = input;
  const target = objects.target;
  await assertEventsTable(client, objects);
  for (const sql of bookkeepingStatements(target)) await client.command({ query: sql });
  // Geo whenever it is on: the user's networks file, else the worker's own databases —
  // millions of rows, staged before the lock is taken.
  const geoSource = options.parse.geo
    ? (input.geo ?? (await bundledGeoNetworks(options.geoDatabases)))
    : undefined;
  const staged =
    geoSource === undefined ? undefined : await stageGeo(client, objects, geoSource, input.owner);
  const lock = await acquireMigrationLock(client, target, {
    owner: input.owner,
    ...(input.logger === undefined ? {} : { logger: input.logger }),
  });
  let result: Omit<ApplyKafkaEngineResult, 'geoLoad'>;
  try {
    const pricing =
      input.pricing === undefined
        ? 'off'
        : await applyPricing(client, objects, input.pricing, input.auth);
    if (staged !== undefined) await swapInGeo(client, objects, staged, input.auth);
    const geo = staged?.state ?? 'off';
    // The views read the dictionary whenever user agents are on: bundled regexes by default.
    const tree =
      options.parse.userAgent === undefined ? undefined : (input.userAgent ?? loadUapRegexpTree());
    const userAgent =
      tree === undefined ? 'off' : await applyUserAgents(client, objects, tree, input.auth);
    const ddl = renderKafkaEngineDdl(objects, options.kafka, options.parse, options.teamRetention);
    await client.command({ query: ddl.errorsTable });
    await lock.assertHeld();
    const current = await tableComment(client, objects.kafkaTable);
    let pipeline: ObjectState = 'unchanged';
    if (current !== `${KAFKA_TABLE_COMMENT_PREFIX}${ddl.fingerprint}`) {
      pipeline = current === undefined ? 'created' : 'replaced';
      for (const sql of ddl.drop) await client.command({ query: sql });
      for (const sql of ddl.pipeline) await client.command({ query: sql });
    }
    result = { pipeline, pricing, geo, userAgent, fingerprint: ddl.fingerprint };
  } finally {
    await lock.release();
  }
  const reloadSeconds = staged === undefined ? 0 : await reloadGeo(client, objects);
  return {
    ...result,
    geoLoad:
      staged === undefined
        ? undefined
        : {
            state: staged.state,
            networks: staged.networks,
            locations: staged.locations,
            seconds: staged.seconds,
            reloadSeconds,
          },
  };
}

/** Stops consumption: drops the Kafka table and its views (the errors table and events stay). */
export async function dropKafkaEnginePipeline(
  client: ClickHouseClient,
  objects: KafkaEngineObjects,
): Promise<void> {
  for (const sql of renderPipelineDrop(objects)) await client.command({ query: sql });
}

/** Whether the pipeline exists (its Kafka table). */
export async function kafkaEnginePipelineExists(
  client: ClickHouseClient,
  objects: KafkaEngineObjects,
): Promise<boolean> {
  return (await tableComment(client, objects.kafkaTable)) !== undefined;
}

async function assertEventsTable(
  client: ClickHouseClient,
  objects: KafkaEngineObjects,
): Promise<void> {
  const [database = '', table = ''] = objects.eventsTable.split('.');
  const result = await client.query({
    query: 'SELECT name FROM system.columns WHERE database = {db:String} AND table = {t:String}',
    query_params: { db: database, t: table },
    format: 'JSONEachRow',
  });
  const columns = new Set((await result.json<{ name: string }>()).map((r) => r.name));
  if (columns.size === 0) {
    throw new KafkaEngineSetupError(
      `${objects.eventsTable} does not exist: apply the schema first (hanzo-ingest migrate up, or CLICKHOUSE_MIGRATE_ON_START=true)`,
    );
  }
  const missing = EVENT_COLUMNS_FROM_KAFKA.filter((c) => !columns.has(c));
  if (missing.length > 0) {
    throw new KafkaEngineSetupError(
      `${objects.eventsTable} lacks columns the Kafka-engine views write: ${missing.join(', ')} (pending migrations?)`,
    );
  }
}

async function applyPricing(
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

async function applyUserAgents(
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
