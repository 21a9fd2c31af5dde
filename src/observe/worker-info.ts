import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The package version, found from source (src/observe) and from the build (dist/src/observe). */
export function packageVersion(from: string = import.meta.dirname): string {
  for (let dir = from, i = 0; i < 5; i++, dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    try {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'hanzo-ingest' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not ours or unreadable: keep looking upwards
    }
  }
  return 'unknown';
}
