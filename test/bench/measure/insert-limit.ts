import PQueue from 'p-queue';
import type { BatchConfig, Config } from '../../../src/config/schema.ts';
import { createDecoder } from '../../../src/decode/create-decoder.ts';
import { toClickHouseDateTime64 } from '../../../src/decode/event-row.ts';
import type { EnrichStage } from '../../../src/enrich/enrich-stage.ts';
import { renderSchema } from '../../../src/schema/render-schema.ts';
import { createClickHouseClient } from '../../../src/sink/create-clickhouse-client.ts';
import { insertRows } from '../../../src/sink/insert-rows.ts';
import { ROW_BINARY } from '../../../src/serialise/row-format.ts';
import {
  benchWorkerConfig,
  benchSchemaTarget,
  dropSchema,
  landedCounts,
  withTimeout,
  type BenchContext,
} from '../bench-context.ts';
import { corpusMessages, round, type CorpusSpec } from '../corpus/preload-corpus.ts';
import { ServerCpu } from './proc-stats.ts';
import { decodeRow } from '../../fixtures/decode/decode-row.ts';
import { RowLines } from '../../../src/batch/row-lines.ts';

/** One partition's batch of serialised rows, cut by the worker's limits. */
export interface RowBatch {
  readonly partition: number;
  /** Rows as the worker writes them (RowBinary bytes); text in the unit tests. */
  readonly rows: readonly (string | Uint8Array)[];
}

export interface InsertRun {
  readonly rows: number;
  readonly bytes: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly megabytesPerSecond: number;
  readonly batches: number;
  /** CPU per million rows: the inserting client (this process: compression, HTTP) and ClickHouse. */
  readonly clientCpuSecondsPerMillion: number;
  readonly clickhouseCpuSecondsPerMillion: number | undefined;
}

/**
 * Distinct rows held in memory at once. Beyond this the same batches are inserted again
 * (with their own deduplication tokens): the rate is the server's, not the row's.
 */
export const DISTINCT_ROWS_CAP = 200_000;

/**
 * Splits one partition's rows the way an open batch seals: a batch takes rows until one
 * more would pass maxRows or maxBytes (a single oversized row still forms a batch).
 */
export function cutBatches(
  partition: number,
  rows: readonly (string | Uint8Array)[],
  limits: Pick<BatchConfig, 'maxRows' | 'maxBytes'>,
): RowBatch[] {
  const out: RowBatch[] = [];
  let current: (string | Uint8Array)[] = [];
  let bytes = 0;
  for (const row of rows) {
    const size = typeof row === 'string' ? Buffer.byteLength(row) : row.length;
    if (
      current.length > 0 &&
      (current.length + 1 > limits.maxRows || bytes + size > limits.maxBytes)
    ) {
      out.push({ partition, rows: current });
      current = [];
      bytes = 0;
    }
    current.push(row);
    bytes += size;
  }
  if (current.length > 0) out.push({ partition, rows: current });
  return out;
}

/**
 * The corpus's first rows as the worker serialises them (decode with the enrich stage,
 * then one RowBinary row per event, serialise/row-format.ts; see PartitionLane.offer), spread over the
 * partitions and cut into batches by the worker's batch limits.
 */
export function buildInsertBatches(
  spec: CorpusSpec,
  config: Readonly<Config>,
  topic: string,
  partitions: number,
  options: { maxRows?: number; enrich?: EnrichStage } = {},
): RowBatch[] {
  const maxRows = options.maxRows ?? DISTINCT_ROWS_CAP;
  const { decoder } = createDecoder(config.decode);
  const perPartition: Uint8Array[][] = Array.from({ length: partitions }, () => []);
  const write = ROW_BINARY.createWriter();
  const nowMs = Date.now();
  const context = { nowMs, ingestedAt: toClickHouseDateTime64(nowMs) };
  let i = 0;
  for (const message of corpusMessages({ ...spec, events: Math.min(spec.events, maxRows) })) {
    const partition = i % partitions;
    const rows = perPartition[partition]!;
    const outcome = decodeRow(
      decoder,
      {
        topic,
        partition,
        offset: String(rows.length),
        timestampMs: nowMs,
        value: Buffer.from(message.value),
      },
      context,
      options.enrich,
    );
    if (!outcome.ok)
      throw new Error(`corpus event ${i} does not decode: ${outcome.deadLetter.message}`);
    // Copied: the writer's buffer is reused for the next row.
    rows.push(Buffer.from(write(outcome.value)));
    i++;
  }
  const cut = perPartition.map((rows, p) => cutBatches(p, rows, config.batch));
  // Round-robin over partitions, as lanes seal side by side.
  const out: RowBatch[] = [];
  for (let k = 0; cut.some((c) => k < c.length); k++) {
    for (const c of cut) if (k < c.length) out.push(c[k]!);
  }
  return out;
}

/**
 * The ClickHouse side's ceiling: pre-built batches inserted with the worker's client
 * settings and insert function (same query, settings, deduplication token, chunking),
 * one insert per partition at a time and at most insert.maxInFlight overall, into the
 * schema the worker's drains insert into (the events table with its rollups' views).
 */
export async function measureInsertLimit(
  ctx: BenchContext,
  batches: readonly RowBatch[],
  events: number,
  repetition: number,
): Promise<InsertRun> {
  const table = `${ctx.runId}_insert_r${repetition}`;
  const config = benchWorkerConfig(ctx, {
    topic: ctx.corpusTopic,
    group: table,
    table,
    workerId: table,
  });
  const client = createClickHouseClient(config.clickhouse, config.insert);
  const target = { client, database: config.clickhouse.database, table, format: ROW_BINARY };
  // After a failure, queued inserts give up and running ones are awaited before the table goes.
  let all: Promise<void>[] = [];
  let abandoned = false;
  try {
    // The worker's schema (the migrations, as its CLICKHOUSE_MIGRATE_ON_START makes it in the
    // drains): every insert also feeds the rollups' materialized views, as the worker's do.
    for (const { sql } of renderSchema(benchSchemaTarget(ctx, table))) {
      await client.command({ query: sql });
    }
    // Encoded as the batcher holds them (row-lines.ts), before the clock starts.
    const plan = planInserts(batches, events).map(({ batch, rows }) => ({
      batch,
      lines: RowLines.of(rows),
    }));
    const queue = new PQueue({ concurrency: config.insert.maxInFlight });
    const partitionTail = new Map<number, Promise<void>>();
    let bytes = 0;
    const started = performance.now();
    const servers = new ServerCpu(ctx.stackPids);
    servers.start();
    const clientCpuAtStart = process.cpuUsage();
    all = plan.map(({ batch, lines }, n) => {
      bytes += lines.byteLength;
      const previous = partitionTail.get(batch.partition) ?? Promise.resolve();
      const token = `${table}:${batch.partition}:${n}`;
      const done = previous.then(() =>
        queue.add(() =>
          abandoned ? Promise.reject(new Error('abandoned')) : insertRows(target, lines, token),
        ),
      );
      partitionTail.set(batch.partition, done);
      return done;
    });
    await withTimeout(`insert limit ${table}`, ctx.options.phaseTimeoutMs, Promise.all(all));
    const seconds = (performance.now() - started) / 1000;
    const clientCpu = process.cpuUsage(clientCpuAtStart);
    const { clickhouseCpuSecondsPerMillion } = servers.stop(events);
    const landed = await landedCounts(ctx.clickhouse, table);
    if (landed.rows !== events)
      throw new Error(`${table}: ${landed.rows} rows landed, expected ${events}`);
    return {
      rows: events,
      bytes,
      seconds: round(seconds, 2),
      eventsPerSecond: Math.round(events / seconds),
      megabytesPerSecond: round(bytes / 2 ** 20 / seconds, 1),
      batches: plan.length,
      clientCpuSecondsPerMillion: round(
        ((clientCpu.user + clientCpu.system) / 1e6 / events) * 1e6,
        1,
      ),
      clickhouseCpuSecondsPerMillion,
    };
  } finally {
    abandoned = true;
    await Promise.allSettled(all);
    await client.close();
    await dropSchema(ctx, table);
  }
}

/** Batches to insert for `events` rows: the pre-built ones in turn, the last one cut short. */
export function planInserts(
  batches: readonly RowBatch[],
  events: number,
): { batch: RowBatch; rows: RowBatch['rows'] }[] {
  if (batches.length === 0) throw new Error('no batches to insert');
  const out: { batch: RowBatch; rows: RowBatch['rows'] }[] = [];
  for (let left = events, i = 0; left > 0; i++) {
    const batch = batches[i % batches.length]!;
    const rows = batch.rows.length <= left ? batch.rows : batch.rows.slice(0, left);
    out.push({ batch, rows });
    left -= rows.length;
  }
  return out;
}
