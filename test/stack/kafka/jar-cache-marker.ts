import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * `jars.json` in a cache's lib directory, written only after Maven succeeded:
 * without it (or when it disagrees with the pom) the directory is not trusted.
 */
export interface JarCacheMarker {
  version: string;
  /** sha256 of pom.xml, so that a changed dependency list re-resolves even at the same Kafka version. */
  pomSha256: string;
  jars: string[];
}

export const MARKER_FILE = 'jars.json';

export async function writeJarCacheMarker(libDir: string, marker: JarCacheMarker): Promise<void> {
  await writeFile(join(libDir, MARKER_FILE), `${JSON.stringify(marker, null, 2)}\n`);
}

/** True when libDir holds a marker matching `expected` and every jar it lists. */
export async function isCompleteJarCache(
  libDir: string,
  expected: Omit<JarCacheMarker, 'jars'>,
): Promise<boolean> {
  let marker: unknown;
  try {
    marker = JSON.parse(await readFile(join(libDir, MARKER_FILE), 'utf8'));
  } catch {
    return false;
  }
  if (!isMarker(marker)) return false;
  if (marker.version !== expected.version || marker.pomSha256 !== expected.pomSha256) return false;
  if (marker.jars.length === 0) return false;
  const present = await Promise.all(
    marker.jars.map((jar) =>
      stat(join(libDir, jar)).then(
        (s) => s.isFile() && s.size > 0,
        () => false,
      ),
    ),
  );
  return present.every(Boolean);
}

function isMarker(value: unknown): value is JarCacheMarker {
  if (typeof value !== 'object' || value === null) return false;
  const { version, pomSha256, jars } = value as Record<string, unknown>;
  return (
    typeof version === 'string' &&
    typeof pomSha256 === 'string' &&
    Array.isArray(jars) &&
    jars.every((jar) => typeof jar === 'string')
  );
}
