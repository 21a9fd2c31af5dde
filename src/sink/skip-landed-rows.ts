import type { ClickHouseClient, ClickHouseSettings } from '@clickhouse/client';
import type { RowLines } from '../batch/row-lines.ts';
import type { SealedBatch } from '../batch/sealed-batch.ts';
import type { RetryPolicy } from '../retry/retry-policy.ts';
import { insertRetryDecision } from './classify-insert-error.ts';
import { partitionsOf } from './split-by-partition.ts';

/** Rows of one partition's offset range that ClickHouse holds, as `<offset>:<uuid>` keys. */
export type LandedRowsReader = (
  query: LandedRowsQuery,
  signal: AbortSignal,
) => Promise<ReadonlySet<string>>;

export interface LandedRowsQuery {
  readonly topic: string;
  readonly partition: number;
  readonly first: bigint;
  readonly last: bigint;
  /** The ClickHouse partitions (YYYYMM) the rows in question fall in: prunes the scan. */
  readonly months: readonly number[];
}

export interface LandedRowsTarget {
  readonly client: ClickHouseClient;
  readonly database: string;
  readonly table: string;
  /** Replicated or sharded (clickhouse.cluster set, or distributed): read consistently. */
  readonly replicated: boolean;
}

/** The rows of a batch still to insert, with the token they go under. */
export type RowsToLand = Pick<SealedBatch, 'rows' | 'deduplicationToken'> & {
  readonly skipped: number;
};

/**
 * Which of the rows already landed: one query over `_topic/_partition/_offset` (the events
 * table is ordered by team and time, so the month filter is what keeps this from reading
 * the whole table). Where the table is replicated, `select_sequential_consistency = 1` makes
 * a replica that is behind refuse rather than answer from stale data, and
 * `fallback_to_stale_replicas_for_distributed_queries = 0` keeps a Distributed table from
 * reading a lagging replica: a stale answer would insert a row twice.
 */
export async function readLandedRows(
  target: LandedRowsTarget,
  query: LandedRowsQuery,
  signal: AbortSignal,
): Promise<ReadonlySet<string>> {
  const settings: ClickHouseSettings = target.replicated
    ? { select_sequential_consistency: '1', fallback_to_stale_replicas_for_distributed_queries: 0 }
    : {};
  const result = await target.client.query({
    query: `SELECT toString(_offset) AS offset, toString(uuid) AS uuid FROM ${target.database}.${target.table} WHERE _topic = {topic:String} AND _partition = {partition:UInt32} AND _offset BETWEEN {first:UInt64} AND {last:UInt64} AND toYYYYMM(timestamp) IN {months:Array(UInt32)}`,
    query_params: {
      topic: query.topic,
      partition: query.partition,
      first: query.first.toString(),
      last: query.last.toString(),
      months: query.months,
    },
    clickhouse_settings: settings,
    format: 'JSONEachRow',
    abort_signal: signal,
  });
  const rows = await result.json<{ offset: string; uuid: string }>();
  return new Set(rows.map((r) => landedKey(r.offset, r.uuid)));
}

/**
 * A re-formed batch minus the rows ClickHouse already holds (same offset, same uuid), under
 * a token derived from the recorded range's and the rows that remain: deterministic, so a
 * crash during this insert and another re-form ask again, find the same rows missing and
 * send the same token. The question is retried like an insert (transient failures only).
 */
export async function skipLandedRows(
  batch: SealedBatch,
  readLanded: LandedRowsReader,
  options: AskOptions,
): Promise<RowsToLand> {
  const landed = await landedAmong(batch, readLanded, batch.rows, options);
  const rows = batch.rows.omit(landed);
  const base = batch.reformed?.recordedToken ?? batch.deduplicationToken;
  return {
    rows,
    deduplicationToken: remainderToken(base, rows),
    skipped: batch.rows.length - rows.length,
  };
}

export interface AskOptions {
  /** The query is retried like an insert (retry/retry-policy.ts). */
  readonly retry: RetryPolicy;
  readonly signal: AbortSignal;
  /** The uuid of a row as the insert carries it (serialise/row-format.ts). */
  readonly uuidOf: (row: Buffer) => string;
}

/**
 * Indexes of `rows` (a block of `batch`, with their `sources`) that ClickHouse holds already:
 * same offset, same uuid. Asked once, retried like an insert (transient failures only).
 */
export async function landedAmong(
  batch: Pick<SealedBatch, 'topic' | 'partition'>,
  readLanded: LandedRowsReader,
  rows: RowLines,
  options: AskOptions,
): Promise<ReadonlySet<number>> {
  const offsets = Array.from({ length: rows.length }, (_, k) => BigInt(rows.offset(k)));
  if (offsets.length === 0) return new Set();
  const landed = await options.retry.run(
    () =>
      readLanded(
        {
          topic: batch.topic,
          partition: batch.partition,
          first: offsets.reduce((a, b) => (b < a ? b : a)),
          last: offsets.reduce((a, b) => (b > a ? b : a)),
          months: partitionsOf(rows),
        },
        options.signal,
      ),
    { signal: options.signal, classify: insertRetryDecision },
  );
  const found = new Set<number>();
  for (let k = 0; k < rows.length; k++) {
    if (landed.has(landedKey(rows.offset(k), options.uuidOf(rows.bytes(k))))) found.add(k);
  }
  return found;
}

/** `<recorded token>/rest:<first>-<last>x<count>` of the rows that remain. */
export function remainderToken(base: string, rows: RowLines): string {
  const first = rows.length > 0 ? rows.offset(0) : '';
  const last = rows.length > 0 ? rows.offset(rows.length - 1) : '';
  return `${base}/rest:${first}-${last}x${rows.length}`;
}

function landedKey(offset: string, uuid: string): string {
  return `${offset}:${uuid.toLowerCase()}`;
}
