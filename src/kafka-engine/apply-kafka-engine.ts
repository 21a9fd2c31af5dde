import type { ClickHouseClient } from '@clickhouse/client';
import { bookkeepingStatements } from '../migrate/bookkeeping-tables.ts';
import { acquireMigrationLock, type LockLogger } from '../migrate/migration-lock.ts';
import { assertEventsTable } from './assert-events-table.ts';
import type { DictionarySourceAuth } from './dictionary-ddl.ts';
import { reloadGeo, stageGeo, swapInGeo, type GeoLoad } from './geo/apply-geo.ts';
import { bundledGeoNetworks } from './geo/bundled-geo-networks.ts';
import type { GeoSource } from './geo/geo-source.ts';
import type { KafkaEngineObjects } from './object-names.ts';
import type { ObjectState } from './object-state.ts';
import type { KafkaEngineOptions } from './options.ts';
import { applyPricing } from './pricing/apply-pricing.ts';
import type { PricingTables } from './pricing/pricing-tables.ts';
import { KAFKA_TABLE_COMMENT_PREFIX, renderKafkaEngineDdl } from './render-kafka-engine.ts';
import { renderPipelineDrop } from './render-pipeline-drop.ts';
import { tableComment } from './table-comment.ts';
import { applyUserAgents } from './user-agent/apply-user-agents.ts';
import { loadUapRegexpTree, type UapRegexpTree } from './user-agent/uap-regexp-tree.ts';

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

export interface ApplyKafkaEngineResult {
  readonly pipeline: ObjectState;
  readonly pricing: ObjectState;
  readonly geo: ObjectState;
  /** How many networks and places were loaded, and how long it took. */
  readonly geoLoad: (GeoLoad & { readonly reloadSeconds: number }) | undefined;
  readonly userAgent: ObjectState;
  readonly fingerprint: string;
}

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
