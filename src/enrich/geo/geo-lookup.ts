import { LRUCache } from 'lru-cache';
import { classifyClientIp } from './client-ip.ts';
import type { GeoDatabase } from './geo-database.ts';
import type { GeoFields } from './geo-layouts.ts';

const MAX_IP_TEXT = 256;

export type GeoMissReason = 'invalid' | 'private' | 'not_found';

/** Geo fields for an IP field's value, or why there are none. */
export type GeoAnswer = GeoFields | GeoMissReason;

/**
 * IP field value → geo fields: parses and classifies the address (private, reserved and
 * invalid ones are never looked up), asks each database that covers its family in order,
 * and caches the answer per raw value. A reloaded database clears the cache.
 */
export class GeoLookup {
  readonly #databases: readonly GeoDatabase[];
  readonly #cache: LRUCache<string, GeoAnswer> | undefined;

  constructor(databases: readonly GeoDatabase[], cacheSize: number) {
    this.#databases = databases;
    this.#cache = cacheSize > 0 ? new LRUCache({ max: cacheSize }) : undefined;
  }

  lookup(value: unknown): GeoAnswer {
    // Nothing longer is an address (with port and a proxy list): not worth a cache slot.
    if (typeof value !== 'string' || value.length > MAX_IP_TEXT) return 'invalid';
    const cache = this.#cache;
    let answer = cache?.get(value);
    if (answer === undefined) {
      answer = this.#resolve(value);
      cache?.set(value, answer);
    }
    return answer;
  }

  clearCache(): void {
    this.#cache?.clear();
  }

  #resolve(value: string): GeoAnswer {
    const ip = classifyClientIp(value);
    if (ip.kind !== 'public') return ip.kind;
    for (const database of this.#databases) {
      if (!database.covers(ip.family)) continue;
      const fields = database.lookup(ip.address);
      if (fields !== undefined) return fields;
    }
    return 'not_found';
  }
}
