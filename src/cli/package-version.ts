import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The version in package.json. Walks up from this file because the CLI runs both from
 * source (src/cli) and built (dist/src/cli), at different depths below the package root.
 */
export function packageVersion(from: string = import.meta.dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: unknown;
        version?: unknown;
      };
      if (pkg.name === 'hanzo-ingest' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // no package.json here (or not ours): keep walking up
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}
