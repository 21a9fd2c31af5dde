import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';

/** cgroup v1 reports "no limit" as a huge number near 2^63. */
const UNLIMITED_V1 = 2 ** 60;

/**
 * The memory the process may use: the container's cgroup limit (v2 `memory.max`, v1
 * `memory.limit_in_bytes`), else the machine's total. The memory alert compares the
 * resident set size against it.
 */
export function memoryLimitBytes(read: (path: string) => string | undefined = readText): number {
  const v2 = read('/sys/fs/cgroup/memory.max');
  if (v2 !== undefined && v2 !== 'max') {
    const n = Number(v2);
    if (Number.isFinite(n) && n > 0) return Math.min(n, totalmem());
  }
  const v1 = read('/sys/fs/cgroup/memory/memory.limit_in_bytes');
  if (v1 !== undefined) {
    const n = Number(v1);
    if (Number.isFinite(n) && n > 0 && n < UNLIMITED_V1) return Math.min(n, totalmem());
  }
  return totalmem();
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}
