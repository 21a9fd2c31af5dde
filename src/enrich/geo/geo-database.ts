import type { Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
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

/** Which file was read: its stat, taken on the same open handle the bytes came from. */
type FileIdentity = Pick<Stats, 'ino' | 'size' | 'mtimeMs'>;

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
  /** The file last read (or found broken): a replacement is any file that is not this one. */
  #seen: FileIdentity;
  #reloading: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #polling = false;

  private constructor(path: string, read: ReadFile, options: GeoDatabaseOptions) {
    this.path = path;
    this.#loaded = parse(read.buffer);
    this.#seen = read.identity;
    this.#options = options;
  }

  /** Loads `entry` (a path, or `npm:<package>/<file>`); throws when unusable. */
  static async open(entry: string, options: GeoDatabaseOptions): Promise<GeoDatabase> {
    const path = resolveDatabasePath(entry);
    const database = new GeoDatabase(path, await readWithIdentity(path), options);
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
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Polls the path's stat and compares it with the file that was read, not with the previous
   * poll (as fs.watchFile does): a replacement that lands before the first poll is seen too.
   */
  #watch(intervalMs: number): void {
    this.#timer = setInterval(() => void this.#poll(), intervalMs);
    this.#timer.unref();
  }

  async #poll(): Promise<void> {
    if (this.#polling) return;
    this.#polling = true;
    try {
      // Missing for a moment (between unlink and rename): wait for the replacement.
      const current = await stat(this.path).catch(() => undefined);
      if (current === undefined || sameFile(current, this.#seen)) return;
      this.#reloading = this.#reloading.then(() => this.#reload());
      await this.#reloading;
    } finally {
      this.#polling = false;
    }
  }

  async #reload(): Promise<void> {
    let read: ReadFile | undefined;
    try {
      read = await readWithIdentity(this.path);
      this.#loaded = parse(read.buffer);
      this.#seen = read.identity;
      this.#options.onReload?.(this);
    } catch (err) {
      // Reported once: the broken file is "seen", so only its replacement is tried next.
      if (read !== undefined) this.#seen = read.identity;
      this.#options.onReloadError?.(this, err);
    }
  }
}

function sameFile(current: FileIdentity, seen: FileIdentity): boolean {
  return current.ino === seen.ino && current.size === seen.size && current.mtimeMs === seen.mtimeMs;
}

interface ReadFile {
  readonly buffer: Buffer;
  readonly identity: FileIdentity;
}

async function readWithIdentity(path: string): Promise<ReadFile> {
  const handle = await open(path, 'r');
  try {
    const { ino, size, mtimeMs } = await handle.stat();
    return { buffer: await handle.readFile(), identity: { ino, size, mtimeMs } };
  } finally {
    await handle.close();
  }
}

function parse(buffer: Buffer): Loaded {
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
