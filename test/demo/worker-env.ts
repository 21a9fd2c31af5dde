import { join } from 'node:path';
import memoryBudget from '../../docker/memory-budget.json' with { type: 'json' };

/** The CLI entry point, run by Node 24 directly from source. */
export const CLI_ENTRY = join(import.meta.dirname, '../../src/cli/main.ts');

/**
 * A worker's memory budget: the V8 heap flags here, the image's ENTRYPOINT, the container
 * request and limit and the memory alert's threshold all come from docker/memory-budget.json
 * (static tests check every copy). V8 collects lazily and lets the heap grow into whatever
 * room it has, so without a cap a worker's RSS follows its garbage, not its data.
 */
export const MEMORY_BUDGET: {
  readonly heapMaxMiB: number;
  readonly semiSpaceMaxMiB: number;
  readonly headroomOverPeak: number;
  readonly requestMiB: number;
  readonly limitMiB: number;
  readonly alertFractionOfLimit: number;
} = memoryBudget;

/** The old-generation cap (--max-old-space-size): below ~256 MiB the collector thrashes. */
export const WORKER_HEAP_MAX_MIB = MEMORY_BUDGET.heapMaxMiB;

/**
 * Node flags for every process we start: the worker's heap caps — the old generation, and
 * each young-generation semi-space (V8's default of 64 MiB for a heap this size lets the
 * young generation alone reach 192 MiB of RSS under the worker's allocation rate; 16 MiB
 * made scavenges cost 3–4 µs per event, BENCHMARKS.md) — and no
 * warning for the timer kafkajs schedules with a negative delay when it is not throttled
 * (harmless: Node runs it after 1 ms; Node 24 warns each time).
 */
export const NODE_FLAGS = [
  '--disable-warning=TimeoutNegativeWarning',
  `--max-old-space-size=${WORKER_HEAP_MAX_MIB}`,
  `--max-semi-space-size=${MEMORY_BUDGET.semiSpaceMaxMiB}`,
] as const;

/** Settings for a worker process against a local stack: small batches, quick flushes. */
export function localWorkerEnv(
  stackEnv: Record<string, string>,
  overrides: Record<string, string> = {},
): NodeJS.ProcessEnv {
  return {
    PATH: process.env['PATH'] ?? '',
    ...stackEnv,
    CLICKHOUSE_MIGRATE_ON_START: 'true',
    CLICKHOUSE_REQUEST_COMPRESSION: 'false',
    BATCH_MAX_AGE_MS: '1000',
    METRICS_PORT: '0',
    LOG_LEVEL: 'info',
    ...overrides,
  };
}
