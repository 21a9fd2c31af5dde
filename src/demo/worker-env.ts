import { join } from 'node:path';

/** The CLI entry point, run by Node 24 directly from source. */
export const CLI_ENTRY = join(import.meta.dirname, '../cli/main.ts');

/**
 * The V8 heap cap a worker runs with: the image's ENTRYPOINT (docker/Dockerfile) starts node
 * with NODE_FLAGS, which compose and the Kubernetes manifests keep (static tests check all three). V8 collects lazily and lets the heap grow into whatever room it
 * has, so without a cap a worker's RSS follows its garbage, not its data (README, Memory).
 */
export const WORKER_HEAP_MAX_MIB = 320;

/**
 * Node flags for every process we start: the worker's heap cap, and no warning for the
 * timer kafkajs schedules with a negative delay when it is not throttled (harmless: Node
 * runs it after 1 ms; Node 24 warns each time).
 */
export const NODE_FLAGS = [
  '--disable-warning=TimeoutNegativeWarning',
  `--max-old-space-size=${WORKER_HEAP_MAX_MIB}`,
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
