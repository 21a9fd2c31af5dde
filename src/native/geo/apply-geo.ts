import type { ClickHouseClient } from '@clickhouse/client';
import { onClusterClause } from '../../schema/engine-clause.ts';
import { dataTableSql, dictionarySql, type DictionarySourceAuth } from '../dictionary-ddl.ts';
import type { KafkaEngineObjects } from '../kafka-engine-objects.ts';
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
  readonly seconds: number;
}

/**
 * Loads the geo dictionaries from `source` when its version differs from the loaded one:
 * networks streamed chunk by chunk (each location interned to an id on the way), then the
 * locations, then the comment (a load that stopped half-way is redone at the next start),
 * then both dictionaries are (re)created and reloaded — they serve their previous copy until
 * then (LIFETIME 0).
 */
export async function applyGeo(
  client: ClickHouseClient,
  objects: KafkaEngineObjects,
  source: GeoSource,
  auth: DictionarySourceAuth,
): Promise<GeoLoad> {
  const started = Date.now();
  const on = onClusterClause(objects.target);
  const networksShape = geoShape(objects);
  const locationsShape = geoLocationsShape(objects);
  for (const shape of [networksShape, locationsShape])
    await client.command({ query: dataTableSql(objects, shape) });
  const comment = `${GEO_COMMENT}${source.version}`;
  let networks = 0;
  let locations = 0;
  const loaded = (await tableComment(client, networksShape.table)) === comment;
  if (!loaded) {
    for (const shape of [networksShape, locationsShape])
      await client.command({ query: `TRUNCATE TABLE ${shape.table}${on}` });
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
    for await (const chunk of source.chunks()) {
      const values = chunk.map((row) => ({ prefix: row.prefix, location: idOf(row) }));
      await client.insert({ table: networksShape.table, values, format: 'JSONEachRow' });
      networks += chunk.length;
    }
    if (places.length > 0)
      await client.insert({ table: locationsShape.table, values: places, format: 'JSONEachRow' });
    locations = places.length;
    await client.command({
      query: `ALTER TABLE ${networksShape.table}${on} MODIFY COMMENT ${sqlString(comment)}`,
    });
  }
  for (const [shape, layout] of [
    [locationsShape, GEO_LOCATIONS_LAYOUT],
    [networksShape, GEO_NETWORKS_LAYOUT],
  ] as const) {
    await client.command({ query: dictionarySql(objects, shape, auth, layout) });
    await client.command({ query: `SYSTEM RELOAD DICTIONARY ${shape.dictionary}${on}` });
  }
  return {
    state: loaded ? 'unchanged' : 'loaded',
    networks,
    locations,
    seconds: (Date.now() - started) / 1000,
  };
}
