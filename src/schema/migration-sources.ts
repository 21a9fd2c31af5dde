import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SchemaRenderError } from './schema-target.ts';

/** One versioned migration as written in schemas/migrations: `NNNN_name.up.sql` + `.down.sql`. */
export interface MigrationSource {
  readonly version: number;
  readonly name: string;
  readonly up: string;
  readonly down: string;
  /** sha256 of both templates: `migrate status` flags a migration edited after it was applied. */
  readonly checksum: string;
}

const FILE = /^(\d{4})_([a-z0-9_]+)\.(up|down)\.sql$/;

/**
 * schemas/migrations of this package, found by walking up from this module, so it works
 * from the sources (src/schema) and from the build (dist/src/schema) alike.
 */
export function defaultMigrationsDir(): string {
  let dir = import.meta.dirname;
  for (;;) {
    const candidate = join(dir, 'schemas', 'migrations');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new SchemaRenderError(`schemas/migrations not found above ${import.meta.dirname}`);
    }
    dir = parent;
  }
}

/** Reads every migration in `dir`, ordered by version; each needs its up and its down. */
export function loadMigrationSources(dir = defaultMigrationsDir()): MigrationSource[] {
  const parts = new Map<number, { name: string; up?: string; down?: string }>();
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.sql')) continue;
    const match = FILE.exec(file);
    if (match === null) {
      throw new SchemaRenderError(`${file}: migration files are named NNNN_name.up|down.sql`);
    }
    const [, digits = '', name = '', direction] = match;
    const version = Number(digits);
    const entry = parts.get(version) ?? { name };
    if (entry.name !== name) {
      throw new SchemaRenderError(`version ${digits} has two names: ${entry.name} and ${name}`);
    }
    entry[direction === 'up' ? 'up' : 'down'] = readFileSync(join(dir, file), 'utf8');
    parts.set(version, entry);
  }
  return [...parts.entries()]
    .sort(([a], [b]) => a - b)
    .map(([version, entry]) => {
      if (entry.up === undefined || entry.down === undefined) {
        const missing = entry.up === undefined ? 'up' : 'down';
        throw new SchemaRenderError(`${migrationId(version, entry.name)}: no .${missing}.sql`);
      }
      const checksum = createHash('sha256')
        .update(entry.up)
        .update('\0')
        .update(entry.down)
        .digest('hex');
      return { version, name: entry.name, up: entry.up, down: entry.down, checksum };
    });
}

/** `0002_sessions`: how migrations are named in logs, status and the ledger. */
export function migrationId(version: number, name: string): string {
  return `${String(version).padStart(4, '0')}_${name}`;
}
