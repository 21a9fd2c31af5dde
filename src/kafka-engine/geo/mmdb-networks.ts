import { Reader, type Response } from 'maxmind';
import { layoutFor, type GeoFields } from '../../enrich/geo/geo-layouts.ts';
import type { GeoNetworkRow } from './geo-networks.ts';

/**
 * Every network of a .mmdb file with its geo fields, for the ip_trie dictionary — the
 * worker's own database (MaxMind DB format: a binary search tree of `nodeCount` nodes, two
 * records each; a record below nodeCount is a node, equal to it is "no data", above it
 * points into the data section). mmdb-lib only answers lookups, so the tree is walked here;
 * the records are decoded through the reader's public lookup, once per distinct record.
 * Two sibling subtrees answering with the same record are one network (the tree splits
 * more finely than the data: DB-IP's 6.3 M IPv4 nodes become far fewer networks). A record
 * without location (the worker then asks its next database) is a network with empty fields,
 * so the dictionary cannot answer from a wider prefix where the worker finds nothing.
 */
export interface MmdbWalk {
  readonly databaseType: string;
  readonly ipVersion: 4 | 6;
  readonly buildEpoch: Date;
  /** Bytes of the file. */
  readonly size: number;
  /** Networks of one address family in address order (millions of rows: consumed in chunks). */
  networks(family: 4 | 6): Generator<GeoNetworkRow, void>;
}

export function walkMmdb(buffer: Buffer): MmdbWalk {
  const reader = new Reader<Response>(buffer);
  const { nodeCount, recordSize, ipVersion, databaseType, buildEpoch } = reader.metadata;
  const found = layoutFor(databaseType);
  if (found === undefined) throw new Error(`${databaseType} is not a geo database`);
  const layout = found;
  const nodeBytes = (recordSize * 2) / 8;
  const left = (node: number): number => readRecord(buffer, node * nodeBytes, recordSize, 0);
  const right = (node: number): number => readRecord(buffer, node * nodeBytes, recordSize, 1);
  const family: 4 | 6 = ipVersion === 4 ? 4 : 6;
  // Answers are numbered by their fields: siblings with equal fields merge into one network.
  const answerIds = new Map<string, number>();
  const answers: GeoFields[] = [];

  /** Networks of the subtree at `start`, addresses of `family` (an IPv6 tree's IPv4 part). */
  function* walkFrom(start: number, of: 4 | 6): Generator<GeoNetworkRow, void> {
    const bits = of === 4 ? 32 : 128;
    const address = new Uint8Array(bits / 8);
    const answerOf = (depth: number): number => {
      const f = layout.toFields(reader.get(format(address, depth, of, false))) ?? EMPTY;
      const key = `${f.country_code}\u0000${f.region}\u0000${f.city}`;
      let id = answerIds.get(key);
      if (id === undefined) {
        id = answers.length;
        answers.push(f);
        answerIds.set(key, id);
      }
      return id;
    };
    /** A subtree's single answer id, NONE for no data, MIXED when its networks differ. */
    function* walk(record: number, depth: number): Generator<GeoNetworkRow, number> {
      if (record === nodeCount) return NONE;
      if (record > nodeCount || depth === bits) return answerOf(depth);
      // The IPv4 part (::/96, and ::ffff:0:0/96 which the worker reads as IPv4) is walked
      // as IPv4 addresses.
      if (of === 6 && depth === 80 && isZeroPrefix(address, 80)) return NONE;
      const byte = depth >> 3;
      const mask = 0x80 >> (depth & 7);
      const l = yield* walk(left(record), depth + 1);
      address[byte] = (address[byte] ?? 0) | mask;
      const r = yield* walk(right(record), depth + 1);
      address[byte] = (address[byte] ?? 0) & ~mask;
      if (l === r) return l;
      if (l >= 0) yield row(address, depth + 1, of, answers[l] ?? EMPTY);
      if (r >= 0) {
        address[byte] = (address[byte] ?? 0) | mask;
        yield row(address, depth + 1, of, answers[r] ?? EMPTY);
        address[byte] = (address[byte] ?? 0) & ~mask;
      }
      return MIXED;
    }
    const whole = yield* walk(start, 0);
    if (whole >= 0) yield row(address, 0, of, answers[whole] ?? EMPTY);
  }

  /** The node at ::/96 of an IPv6 tree (IPv4 addresses live there), or nodeCount. */
  const ipv4Start = (): number => {
    let node = 0;
    for (let i = 0; i < 96 && node < nodeCount; i++) node = left(node);
    return node;
  };

  return {
    databaseType,
    ipVersion: family,
    buildEpoch,
    size: buffer.length,
    *networks(of: 4 | 6) {
      if (family === 4) {
        if (of === 4) yield* walkFrom(0, 4);
        return;
      }
      if (of === 6) yield* walkFrom(0, 6);
      else {
        const start = ipv4Start();
        if (start < nodeCount) yield* walkFrom(start, 4);
      }
    },
  };
}

const EMPTY: GeoFields = { country_code: '', region: '', city: '' };
const NONE = -1;
const MIXED = -2;

function row(address: Uint8Array, prefix: number, family: 4 | 6, f: GeoFields): GeoNetworkRow {
  return {
    prefix: format(address, prefix, family, true),
    country_code: f.country_code,
    region: f.region,
    city: f.city,
  };
}

function readRecord(db: Buffer, offset: number, size: number, side: 0 | 1): number {
  switch (size) {
    case 24:
      return db.readUIntBE(offset + side * 3, 3);
    case 28:
      return side === 0
        ? (((db[offset + 3] ?? 0) & 0xf0) << 20) | db.readUIntBE(offset, 3)
        : (((db[offset + 3] ?? 0) & 0x0f) << 24) | db.readUIntBE(offset + 4, 3);
    case 32:
      return db.readUInt32BE(offset + side * 4);
    default:
      throw new Error(`unsupported mmdb record size ${size}`);
  }
}

function isZeroPrefix(address: Uint8Array, bits: number): boolean {
  for (let i = 0; i < bits / 8; i++) if (address[i] !== 0) return false;
  return true;
}

/** The network's first address, with `/prefix` when `cidr`; bits past the prefix are zero. */
function format(address: Uint8Array, prefix: number, family: 4 | 6, cidr: boolean): string {
  let text: string;
  if (family === 4) text = Array.from(address).join('.');
  else {
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2)
      groups.push((((address[i] ?? 0) << 8) | (address[i + 1] ?? 0)).toString(16));
    text = groups.join(':');
  }
  return cidr ? `${text}/${prefix}` : text;
}
