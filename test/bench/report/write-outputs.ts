import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { format } from 'prettier';
import type { Config } from '../../../src/config/schema.ts';
import type { BenchOptions } from '../bench-options.ts';
import { replaceBetweenMarkers } from './render-report.ts';

/** The settings a run used, as they matter for its figures. */
export interface BenchSettings {
  readonly events: number;
  readonly repeat: number;
  readonly partitions: number;
  readonly workerEnv: Readonly<Record<string, string>>;
  readonly batch: Config['batch'];
  readonly maxInFlight: number;
  readonly requestCompression: boolean;
  readonly maxBufferedBytes: number;
  readonly fetch: {
    readonly maxBytes: number;
    readonly maxBytesPerPartition: number;
    readonly maxWaitMs: number;
    readonly partitionsConsumedConcurrently: number;
  };
}

export function benchSettings(options: BenchOptions, config: Readonly<Config>): BenchSettings {
  return {
    events: options.events,
    repeat: options.repeat,
    partitions: options.partitions,
    workerEnv: options.workerEnv,
    batch: config.batch,
    maxInFlight: config.insert.maxInFlight,
    requestCompression: config.clickhouse.requestCompression,
    maxBufferedBytes: config.maxBufferedBytes,
    fetch: {
      maxBytes: config.kafka.fetchMaxBytes,
      maxBytesPerPartition: config.kafka.fetchMaxBytesPerPartition,
      maxWaitMs: config.kafka.fetchMaxWaitMs,
      partitionsConsumedConcurrently: config.kafka.partitionsConsumedConcurrently,
    },
  };
}

const mib = (bytes: number): string => `${Math.round((bytes / 2 ** 20) * 10) / 10} MiB`;

/** One readable line: what a reader needs to compare two runs. */
export function describeSettings(s: BenchSettings): string {
  const overrides = Object.entries(s.workerEnv).map(([k, v]) => `${k}=${v}`);
  return [
    `${s.events.toLocaleString('en-US')} events, ${s.partitions} partitions, ${s.repeat} repetition${s.repeat === 1 ? '' : 's'}`,
    `batches of ≤ ${s.batch.maxRows.toLocaleString('en-US')} rows / ${mib(s.batch.maxBytes)} / ${s.batch.maxAgeMs} ms`,
    `${s.maxInFlight} inserts in flight`,
    `request compression ${s.requestCompression ? 'on (gzip)' : 'off'}`,
    `buffer ≤ ${mib(s.maxBufferedBytes)}`,
    `fetch ≤ ${mib(s.fetch.maxBytes)} (${mib(s.fetch.maxBytesPerPartition)} per partition, wait ${s.fetch.maxWaitMs} ms, ${s.fetch.partitionsConsumedConcurrently} partitions at once)`,
    overrides.length === 0 ? 'worker defaults' : `worker settings ${overrides.join(' ')}`,
  ].join('; ');
}

export function writeJsonReport(file: string, report: object): void {
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
}

/**
 * Writes the Markdown report: between the bench markers when the file has them (so
 * BENCHMARKS.md keeps its hand-written parts), else as the whole file; formatted by
 * prettier as the repository's format check expects.
 */
export async function writeMarkdownReport(file: string, body: string): Promise<void> {
  const existing = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  const document =
    existing?.includes('<!-- bench:begin -->') === true
      ? replaceBetweenMarkers(existing, body)
      : `${body}\n`;
  writeFileSync(
    file,
    await format(document, { parser: 'markdown', printWidth: 100, proseWrap: 'preserve' }),
  );
}
