import type { GeoNetworkRow, GeoNetworks } from './geo-networks.ts';

/** Networks for the ip_trie dictionary, in chunks, and a version naming their content. */
export interface GeoSource {
  /** The table is reloaded only when this changes. */
  readonly version: string;
  /** Where the data comes from, for the log. */
  readonly origin: string;
  chunks(): AsyncIterable<readonly GeoNetworkRow[]> | Iterable<readonly GeoNetworkRow[]>;
}

/** A user's networks CSV (KAFKA_ENGINE_GEO_NETWORKS_FILE) as a source. */
export function csvGeoSource(networks: GeoNetworks, origin: string): GeoSource {
  return {
    version: networks.version,
    origin,
    chunks: () => [networks.rows],
  };
}
