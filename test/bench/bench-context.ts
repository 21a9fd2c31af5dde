import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { Kafka, logLevel } from 'kafkajs';
import { loadConfig } from '../../src/config/load-config.ts';
import type { Config } from '../../src/config/schema.ts';
import { schemaTargetOf } from '../../src/migrate/migrate-from-config.ts';
import { renderMigrations } from '../../src/schema/render-schema.ts';
import type { SchemaTarget } from '../../src/schema/schema-target.ts';
import type { Stack } from '../stack/types.ts';
import type { BenchOptions } from './bench-options.ts';
import type { StackPids } from './measure/stack-processes.ts';

/** Everything a measurement needs: the stack, clients, names unique to this run, options. */
export interface BenchContext {
  readonly options: BenchOptions;
  readonly stack: Stack;
  /** Where worker logs and profiles go. */
  readonly dir: string;
  /** Prefix of every topic, table and group this run creates. */
  readonly runId: string;
  readonly kafka: Kafka;
  readonly clickhouse: ClickHouseClient;
  /** The preloaded corpus topic and the DLQ topic workers write to. */
  readonly corpusTopic: string;
  readonly dlqTopic: string;
  /** The stack's server processes, for their CPU time (undefined when not local). */
  readonly stackPids: StackPids;
  /** Progress lines on stderr (stdout carries the results). */
  readonly log: (text: string) => void;
}

/** A run-unique, SQL- and Kafka-safe prefix: `bench_<base36 time>`. */
export function newRunId(nowMs = Date.now()): string {
  return `bench_${nowMs.toString(36)}`;
}

export function createBenchClients(stack: Stack): { kafka: Kafka; clickhouse: ClickHouseClient } {
  return {
    kafka: new Kafka({
      clientId: 'hanzo-bench',
      brokers: [...stack.kafka.brokers],
      logLevel: logLevel.NOTHING,
    }),
    // Polling a table before a worker created it fails by design: keep the client quiet.
    clickhouse: createClient({
      url: stack.clickhouse.url,
      username: stack.clickhouse.username,
      password: stack.clickhouse.password,
      request_timeout: 300_000,
      log: { level: ClickHouseLogLevel.OFF },
    }),
  };
}

export interface WorkerTarget {
  readonly topic: string;
  readonly group: string;
  readonly table: string;
  readonly workerId: string;
}

/**
 * The environment of a benchmarked worker: the worker's own defaults, except what makes
 * it a separate run (topic, group, table) and quiet (logs at warn, no metrics port), plus
 * the user's `--worker-env` settings and the run's own (enrichment switch).
 */
export function benchWorkerEnv(
  ctx: Pick<BenchContext, 'stack' | 'options' | 'dlqTopic'>,
  target: WorkerTarget,
  runSettings: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return {
    PATH: process.env['PATH'] ?? '',
    ...ctx.stack.env(),
    INGEST_WORKER_ID: target.workerId,
    KAFKA_TOPICS: target.topic,
    KAFKA_DLQ_TOPIC: ctx.dlqTopic,
    KAFKA_GROUP_ID: target.group,
    CLICKHOUSE_TABLE: target.table,
    CLICKHOUSE_MIGRATE_ON_START: 'true',
    METRICS_PORT: '0',
    LOG_LEVEL: 'warn',
    ...ctx.options.workerEnv,
    ...runSettings,
  };
}

/** The worker's parsed config for these settings: the limit measurements use the same values. */
export function benchWorkerConfig(
  ctx: Pick<BenchContext, 'stack' | 'options' | 'dlqTopic'>,
  target: WorkerTarget,
): Readonly<Config> {
  return loadConfig({ env: benchWorkerEnv(ctx, target) });
}

/** Rejects after `ms` with a message naming what took too long. */
export async function withTimeout<T>(what: string, ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function countRows(clickhouse: ClickHouseClient, table: string): Promise<number> {
  const result = await clickhouse.query({
    query: `SELECT count() AS n FROM ${table}`,
    format: 'JSONEachRow',
  });
  const [row] = await result.json<{ n: string }>();
  return Number(row?.n ?? 0);
}

/** count() and uniqExact(uuid): a drain that lands duplicates or loses rows is not a result. */
export async function landedCounts(
  clickhouse: ClickHouseClient,
  table: string,
): Promise<{ rows: number; unique: number }> {
  const result = await clickhouse.query({
    query: `SELECT count() AS rows, uniqExact(uuid) AS unique FROM ${table}`,
    format: 'JSONEachRow',
  });
  const [row] = await result.json<{ rows: string; unique: string }>();
  return { rows: Number(row?.rows ?? 0), unique: Number(row?.unique ?? 0) };
}

export async function dropTable(clickhouse: ClickHouseClient, table: string): Promise<void> {
  await clickhouse.command({ query: `DROP TABLE IF EXISTS ${table} SYNC` }).catch(() => undefined);
}

/**
 * What the worker's migrations make for `table` (schemas/migrations), as a worker of this
 * run sees it (database, cluster settings): the events table, its rollups and their views.
 * The events table is always the run's own, whatever `--worker-env` says.
 */
export function benchSchemaTarget(
  ctx: Pick<BenchContext, 'stack' | 'options' | 'dlqTopic'>,
  table: string,
): SchemaTarget {
  const config = benchWorkerConfig(ctx, { topic: table, group: table, table, workerId: table });
  return { ...schemaTargetOf(config.clickhouse), eventsTable: table };
}

/**
 * Drops every object of a run's schema (the migrations' `DROP` statements, last migration
 * first): the rollups and their views go with the events table, so no view of an earlier
 * run keeps aggregating, and none is left on the disk. Best effort: it runs in every phase's
 * `finally`, where it must not hide the phase's own error.
 */
export async function dropSchema(
  ctx: Pick<BenchContext, 'stack' | 'options' | 'dlqTopic' | 'clickhouse'>,
  table: string,
): Promise<void> {
  let drops: string[];
  try {
    drops = renderMigrations(benchSchemaTarget(ctx, table))
      .reverse()
      .flatMap((migration) => migration.down.filter((s) => s.sql.startsWith('DROP ')))
      .map((s) => s.sql);
  } catch {
    return;
  }
  for (const query of drops) {
    await ctx.clickhouse.command({ query }).catch(() => undefined);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
