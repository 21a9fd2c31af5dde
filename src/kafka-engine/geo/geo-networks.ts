import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { ConfigError } from '../../errors.ts';
import {
  dataTableSql,
  dictionarySql,
  type DictionaryShape,
  type DictionarySourceAuth,
} from '../dictionary-ddl.ts';
import type { KafkaEngineObjects } from '../object-names.ts';

/** One network of the user's geo CSV: `network,country_code,region,city`. */
export interface GeoNetworkRow {
  readonly prefix: string;
  readonly country_code: string;
  readonly region: string;
  readonly city: string;
}

export interface GeoNetworks {
  readonly rows: readonly GeoNetworkRow[];
  /** Content hash: the table is reloaded only when the file changed. */
  readonly version: string;
}

const SETTING = 'KAFKA_ENGINE_GEO_NETWORKS_FILE (kafkaEngine.geoNetworksFile)';

/**
 * Reads the networks CSV for the ip_trie dictionary: `network,country_code,region,city` per
 * line (CIDR, IPv4 or IPv6; a two-letter ISO 3166 code or empty; fields may be quoted; an
 * optional header line starting with `network`). Every bad line is reported at once.
 */
export function readGeoNetworks(path: string): GeoNetworks {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError([`${SETTING}: cannot read ${path}: ${(err as Error).message}`]);
  }
  return parseGeoNetworks(text, path);
}

export function parseGeoNetworks(text: string, where = 'geo networks'): GeoNetworks {
  const rows: GeoNetworkRow[] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '' || (index === 0 && /^\s*"?network"?\s*,/i.test(line))) return;
    const fields = splitCsvLine(line);
    const [prefix = '', country = '', region = '', city = ''] = fields.map((f) => f.trim());
    const problem = checkRow(fields.length, prefix, country);
    if (problem !== undefined) problems.push(`${SETTING}: ${where} line ${index + 1}: ${problem}`);
    else rows.push({ prefix, country_code: country.toUpperCase(), region, city });
  });
  if (problems.length > 0) throw new ConfigError(problems.slice(0, 20));
  if (rows.length === 0) throw new ConfigError([`${SETTING}: ${where} holds no networks`]);
  return { rows, version: createHash('sha256').update(text).digest('hex').slice(0, 16) };
}

function checkRow(count: number, prefix: string, country: string): string | undefined {
  if (count !== 4) return `expected 4 fields (network,country_code,region,city), got ${count}`;
  const slash = prefix.indexOf('/');
  const address = slash === -1 ? prefix : prefix.slice(0, slash);
  const family = isIP(address);
  const bits = slash === -1 ? (family === 6 ? 128 : 32) : Number(prefix.slice(slash + 1));
  if (family === 0 || !Number.isInteger(bits) || bits < 0 || bits > (family === 6 ? 128 : 32)) {
    return `"${prefix}" is not a network (CIDR)`;
  }
  if (country !== '' && !/^[A-Za-z]{2}$/.test(country)) {
    return `country_code "${country}" is not a two-letter code`;
  }
  return undefined;
}

/** RFC 4180 fields: commas inside double quotes, "" for a quote. */
function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        current += '"';
        i++;
      } else if (c === '"') quoted = false;
      else current += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      fields.push(current);
      current = '';
    } else current += c;
  }
  fields.push(current);
  return fields;
}

/**
 * The ip_trie dictionary: network → location id (4 bytes a row: DB-IP's 13.7 M networks
 * would take 1.7 GB in memory with the strings in the trie).
 */
export function geoShape(objects: KafkaEngineObjects): DictionaryShape {
  return {
    table: objects.geo.table,
    dictionary: objects.geo.dictionary,
    key: [['prefix', 'String']],
    attributes: [['location', 'UInt32']],
  };
}

/** Location id → the geo columns (a few hundred thousand distinct places). */
export function geoLocationsShape(objects: KafkaEngineObjects): DictionaryShape {
  return {
    table: objects.geo.locationsTable,
    dictionary: objects.geo.locationsDictionary,
    key: [['id', 'UInt64']],
    attributes: [
      ['country_code', 'String'],
      ['region', 'String'],
      ['city', 'String'],
    ],
  };
}

export const GEO_NETWORKS_LAYOUT = 'IP_TRIE(access_to_key_from_attributes 0)';
export const GEO_LOCATIONS_LAYOUT = 'HASHED()';

/** Both geo tables and dictionaries (what `kafka-engine render` prints). */
export function geoDdl(objects: KafkaEngineObjects, auth: DictionarySourceAuth): string[] {
  return [
    dataTableSql(objects, geoShape(objects)),
    dataTableSql(objects, geoLocationsShape(objects)),
    dictionarySql(objects, geoShape(objects), auth, GEO_NETWORKS_LAYOUT),
    dictionarySql(objects, geoLocationsShape(objects), auth, GEO_LOCATIONS_LAYOUT),
  ];
}
