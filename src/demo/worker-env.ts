import { join } from 'node:path';

/** The CLI entry point, run by Node 24 directly from source. */
export const CLI_ENTRY = join(import.meta.dirname, '../cli/main.ts');

/**
 * Node flags for every process we start. kafkajs schedules a timer with a negative delay
 * when it is not throttled (harmless: Node runs it after 1 ms), and Node 24 warns each time.
 */
export const NODE_FLAGS = ['--disable-warning=TimeoutNegativeWarning'] as const;

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
