import type { ClickHouseClient } from '@clickhouse/client';
import { onClusterClause } from '../../schema/engine-clause.ts';
import {
  dataTableSql,
  dictionarySql,
  type DictionaryShape,
  type DictionarySourceAuth,
} from '../dictionary-ddl.ts';
import type { KafkaEngineObjects } from '../object-names.ts';
import { sqlString } from '../sql-literal.ts';
import { tableComment } from '../table-comment.ts';
import {
  GEO_LOCATIONS_LAYOUT,
  GEO_NETWORKS_LAYOUT,
  geoLocationsShape,
  geoShape,
  type GeoNetworkRow,
} from './geo-networks.ts';
import type { GeoSource } from './geo-source.ts';

const GEO_COMMENT = 'hanzo-ingest geo networks ';

export interface GeoLoad {
  readonly state: 'loaded' | 'unchanged';
  readonly networks: number;
  readonly locations: number;
  /** Generating and inserting the rows (0 when unchanged). */
  readonly seconds: number;
}

/** Rows loaded into staging tables of their own, not yet swapped in. */
export interface StagedGeo extends GeoLoad {
  readonly staging: readonly (readonly [staging: string, live: string])[];
}

/**
 * Phase 1, before the migration lock (minutes for millions of networks: no lease is held
 * that long): when the source's version differs from the loaded one, the rows go into
 * staging tables unique to this applier — networks streamed chunk by chunk, each location
 * interned to an id on the way, then the locations, then the version as comment.
 */
export async function stageGeo(
  client: ClickHouseClient,
  objects: KafkaEngineObjects,
  source: GeoSource,
  owner: string,
): Promise<StagedGeo> {
  const started = Date.now();
  const live = [geoShape(objects), geoLocationsShape(objects)] as const;
  for (const shape of live) await client.command({ query: dataTableSql(objects, shape) });
  const comment = `${GEO_COMMENT}${source.version}`;
  if ((await tableComment(client, live[0].table)) === comment) {
    return { state: 'unchanged', networks: 0, locations: 0, seconds: 0, staging: [] };
  }
  const suffix = `_staging_${owner.replace(/[^A-Za-z0-9_]/g, '_')}_${Date.now().toString(36)}`;
  const [networksShape, locationsShape] = live.map((shape): DictionaryShape => ({
    ...shape,
    table: `${shape.table}${suffix}`,
  })) as [DictionaryShape, DictionaryShape];
  for (const shape of [networksShape, locationsShape]) {
    await client.command({ query: `DROP TABLE IF EXISTS ${shape.table}` });
    await client.command({ query: dataTableSql(objects, shape) });
  }
  const ids = new Map<string, number>();
  const places: { id: number; country_code: string; region: string; city: string }[] = [];
  const idOf = (row: GeoNetworkRow): number => {
    const key = `${row.country_code}\u0000${row.region}\u0000${row.city}`;
    let id = ids.get(key);
    if (id === undefined) {
      id = places.length + 1;
      ids.set(key, id);
      const { country_code, region, city } = row;
      places.push({ id, country_code, region, city });
    }
    return id;
  };
  let networks = 0;
  for await (const chunk of source.chunks()) {
    const values = chunk.map((row) => ({ prefix: row.prefix, location: idOf(row) }));
    await client.insert({ table: networksShape.table, values, format: 'JSONEachRow' });
    networks += chunk.length;
  }
  if (places.length > 0)
    await client.insert({ table: locationsShape.table, values: places, format: 'JSONEachRow' });
  await client.command({
    query: `ALTER TABLE ${networksShape.table}${onClusterClause(objects.target)} MODIFY COMMENT ${sqlString(comment)}`,
  });
  return {
    state: 'loaded',
    networks,
    locations: places.length,
    seconds: (Date.now() - started) / 1000,
    staging: [
      [networksShape.table, live[0].table],
      [locationsShape.table, live[1].table],
    ],
  };
}

/**
 * Phase 2, under the lock: staged rows swapped in (EXCHANGE: atomic, the comment travels
 * with the networks table), the old rows dropped, and both dictionaries (re)created — a new
 * dictionary loads its data at first use.
 */
export async function swapInGeo(
  client: ClickHouseClient,
  objects: KafkaEngineObjects,
  staged: StagedGeo,
  auth: DictionarySourceAuth,
): Promise<void> {
  const on = onClusterClause(objects.target);
  for (const [staging, live] of staged.staging) {
    await client.command({ query: `EXCHANGE TABLES ${staging} AND ${live}${on}` });
    await client.command({ query: `DROP TABLE IF EXISTS ${staging}${on}` });
  }
  await client.command({
    query: dictionarySql(objects, geoLocationsShape(objects), auth, GEO_LOCATIONS_LAYOUT),
  });
  await client.command({
    query: dictionarySql(objects, geoShape(objects), auth, GEO_NETWORKS_LAYOUT),
  });
}

/** Phase 3, after the lock: both dictionaries loaded now rather than by the first message. */
export async function reloadGeo(
  client: ClickHouseClient,
  objects: KafkaEngineObjects,
): Promise<number> {
  const started = Date.now();
  const on = onClusterClause(objects.target);
  for (const dictionary of [objects.geo.locationsDictionary, objects.geo.dictionary])
    await client.command({ query: `SYSTEM RELOAD DICTIONARY ${dictionary}${on}` });
  return (Date.now() - started) / 1000;
}
