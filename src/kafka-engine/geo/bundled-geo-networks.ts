import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolveDatabasePath } from '../../enrich/geo/geo-database.ts';
import type { GeoNetworkRow } from './geo-networks.ts';
import type { GeoSource } from './geo-source.ts';
import { walkMmdb } from './mmdb-networks.ts';

/** Rows per INSERT: bounded memory in this process and in the server, whatever the data. */
export const GEO_INSERT_CHUNK_ROWS = 250_000;

/**
 * The ip_trie rows of the worker's own geo databases (ENRICH_GEO_DATABASES, by default the
 * bundled DB-IP Lite files), IPv4 and IPv6, generated at apply time so kafka-engine mode has
 * geo with no extra file. Millions of networks: produced lazily, in chunks. The version
 * comes from each file's metadata and size: the tables are rebuilt only when one changed.
 */
export async function bundledGeoNetworks(databases: readonly string[]): Promise<GeoSource> {
  const paths = databases.map(resolveDatabasePath);
  const hash = createHash('sha256');
  for (const path of paths) {
    const walk = walkMmdb(await readFile(path));
    hash.update(
      `${walk.databaseType}|${walk.ipVersion}|${walk.buildEpoch.toISOString()}|${walk.size}\n`,
    );
  }
  return {
    version: hash.digest('hex').slice(0, 16),
    origin: databases.join(','),
    async *chunks() {
      // Per address family, the first database that covers it (GeoLookup asks them in
      // order; its fallback to a later database for an address the first lacks is not kept).
      for (const family of [4, 6] as const) {
        for (const path of paths) {
          const walk = walkMmdb(await readFile(path));
          let chunk: GeoNetworkRow[] = [];
          let any = false;
          for (const row of walk.networks(family)) {
            any = true;
            chunk.push(row);
            if (chunk.length === GEO_INSERT_CHUNK_ROWS) {
              yield chunk;
              chunk = [];
            }
          }
          if (chunk.length > 0) yield chunk;
          if (any) break;
        }
      }
    },
  };
}
