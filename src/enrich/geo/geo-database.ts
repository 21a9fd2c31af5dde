import { unwatchFile, watchFile, type Stats } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { LRUCache } from 'lru-cache';
import { Reader, type Response } from 'maxmind';
import { NPM_PATH_PREFIX } from '../enrich-defaults.ts';
import { layoutFor, type GeoFields, type GeoLayout } from './geo-layouts.ts';

export interface GeoDatabaseOptions {
  /** How often the file's stat is polled for replacement; 0 turns reloading off. */
  readonly watchIntervalMs: number;
  /** After a successful reload (callers drop cached answers). */
  readonly onReload?: (database: GeoDatabase) => void;
  /** A changed file that could not be loaded: the previous data stays in use. */
  readonly onReloadError?: (database: GeoDatabase, err: unknown) => void;
}

interface Loaded {
  readonly reader: Reader<Response>;
  readonly layout: GeoLayout;
  readonly ipVersion: 4 | 6;
}

/** Records decoded per database (many addresses share a city record). */
const DECODED_RECORDS_CACHED = 8_192;

/**
 * One .mmdb file, read into memory, its layout chosen from its metadata. When the file is
 * replaced (geoipupdate writes a new file and renames it over the old), the new one is
 * loaded and swapped in atomically; a broken new file is reported and the old data kept.
 */
export class GeoDatabase {
  readonly path: string;
  readonly #options: GeoDatabaseOptions;
  #loaded: Loaded;
  #reloading: Promise<void> = Promise.resolve();
  #watching = false;

  private constructor(path: string, loaded: Loaded, options: GeoDatabaseOptions) {
    this.path = path;
    this.#loaded = loaded;
    this.#options = options;
  }

  /** Loads `entry` (a path, or `npm:<package>/<file>`); throws when unusable. */
  static async open(entry: string, options: GeoDatabaseOptions): Promise<GeoDatabase> {
    const path = resolveDatabasePath(entry);
    const database = new GeoDatabase(path, await load(path), options);
    if (options.watchIntervalMs > 0) database.#watch(options.watchIntervalMs);
    return database;
  }

  get layout(): GeoLayout['name'] {
    return this.#loaded.layout.name;
  }

  get databaseType(): string {
    return this.#loaded.reader.metadata.databaseType;
  }

  get buildEpoch(): Date {
    return this.#loaded.reader.metadata.buildEpoch;
  }

  /** An IPv4-only tree cannot answer for IPv6 addresses (walking it would give garbage). */
  covers(family: 4 | 6): boolean {
    return family === 4 || this.#loaded.ipVersion === 6;
  }

  /** Geo fields for an address this database covers; undefined when it has no record. */
  lookup(address: string): GeoFields | undefined {
    const { reader, layout } = this.#loaded;
    try {
      return layout.toFields(reader.get(address));
    } catch {
      return undefined;
    }
  }

  /** Resolves once any reload in progress has finished. */
  settled(): Promise<void> {
    return this.#reloading;
  }

  close(): void {
    if (this.#watching) unwatchFile(this.path);
    this.#watching = false;
  }

  #watch(intervalMs: number): void {
    this.#watching = true;
    watchFile(this.path, { persistent: false, interval: intervalMs }, (current, previous) => {
      if (!changed(current, previous)) return;
      this.#reloading = this.#reloading.then(() => this.#reload());
    });
  }

  async #reload(): Promise<void> {
    try {
      this.#loaded = await load(this.path);
      this.#options.onReload?.(this);
    } catch (err) {
      this.#options.onReloadError?.(this, err);
    }
  }
}

function changed(current: Stats, previous: Stats): boolean {
  // A missing file stats as all zeros: wait for the replacement to appear.
  if (current.nlink === 0 && current.size === 0) return false;
  return (
    current.mtimeMs !== previous.mtimeMs ||
    current.size !== previous.size ||
    current.ino !== previous.ino
  );
}

async function load(path: string): Promise<Loaded> {
  const buffer = await readFile(path);
  const reader = new Reader<Response>(buffer, {
    cache: new LRUCache<string | number, object>({ max: DECODED_RECORDS_CACHED }),
  });
  const { databaseType, ipVersion } = reader.metadata;
  const layout = layoutFor(databaseType);
  if (layout === undefined) {
    throw new Error(
      `unsupported database type "${databaseType}" (expected MaxMind/DB-IP City or Country, or ip-location-db city/country)`,
    );
  }
  if (ipVersion !== 4 && ipVersion !== 6) throw new Error(`unsupported ip_version ${ipVersion}`);
  return { reader, layout, ipVersion };
}

/** `npm:<package>/<file>` → the file inside the installed package; other entries as given. */
export function resolveDatabasePath(entry: string): string {
  if (!entry.startsWith(NPM_PATH_PREFIX)) return entry;
  return fileURLToPath(import.meta.resolve(entry.slice(NPM_PATH_PREFIX.length)));
}
