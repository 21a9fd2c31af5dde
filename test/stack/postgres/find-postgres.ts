import { accessSync, constants, readdirSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Where PostgreSQL's server programs (initdb, postgres) are. */
export interface PostgresBinaries {
  readonly initdb: string;
  readonly postgres: string;
}

/** Debian/Ubuntu install the server off PATH, one directory per major version. */
const DEBIAN_ROOT = '/usr/lib/postgresql';

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function binariesIn(dir: string): PostgresBinaries | undefined {
  const initdb = join(dir, 'initdb');
  const postgres = join(dir, 'postgres');
  return executable(initdb) && executable(postgres) ? { initdb, postgres } : undefined;
}

/**
 * $PG_BIN_DIR, else the newest /usr/lib/postgresql/<major>/bin (Debian's `postgresql`
 * package), else PATH (Homebrew, other distributions). check-prerequisites.cjs looks in the
 * same places.
 */
export function findPostgres(env: NodeJS.ProcessEnv = process.env): PostgresBinaries | undefined {
  const configured = env['PG_BIN_DIR'];
  if (configured !== undefined && configured !== '') return binariesIn(configured);
  let majors: number[] = [];
  try {
    majors = readdirSync(DEBIAN_ROOT)
      .map(Number)
      .filter((n) => Number.isInteger(n))
      .sort((a, b) => b - a);
  } catch {
    // not Debian's layout
  }
  for (const major of majors) {
    const found = binariesIn(join(DEBIAN_ROOT, String(major), 'bin'));
    if (found !== undefined) return found;
  }
  for (const dir of (env['PATH'] ?? '').split(delimiter).filter(Boolean)) {
    const found = binariesIn(dir);
    if (found !== undefined) return found;
  }
  return undefined;
}

export function requirePostgres(): PostgresBinaries {
  const found = findPostgres();
  if (found === undefined) {
    throw new Error(
      'PostgreSQL server programs (initdb, postgres) not found: install them (Debian/Ubuntu: apt-get install postgresql) or set PG_BIN_DIR',
    );
  }
  return found;
}
