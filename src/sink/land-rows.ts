import type { RowLines } from '../batch/row-lines.ts';
import type { RefusedRow } from '../batch/sealed-batch.ts';
import { errorMessage } from '../errors.ts';
import type { RetryPolicy } from '../retry/retry-policy.ts';
import { insertRetryDecision } from './classify-insert-error.ts';
import { remainderToken } from './skip-landed-rows.ts';

/** Sends rows to ClickHouse as one insert with the given token (insert-rows.ts in production). */
export type RowInserter = (rows: RowLines, token: string, signal: AbortSignal) => Promise<void>;

export interface LandRowsOptions {
  readonly insert: RowInserter;
  /** Transient and configuration failures are retried under it (retry/retry-policy.ts). */
  readonly retry: RetryPolicy;
  /** Aborted when the partition is lost or the worker must stop now. */
  readonly signal: AbortSignal;
  /** Called after each failed attempt that will be retried (metrics, logs, pausing). */
  readonly onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  /**
   * Which of these rows ClickHouse holds already (indexes), asked after a block failed as
   * data: ClickHouse writes a block to the table before its materialized views run, so a view
   * that throws fails an insert whose rows did land.
   */
  readonly landedAmong?: (rows: RowLines) => Promise<ReadonlySet<number>>;
  /** Rows of a block that failed as data were found in the table: they count as landed. */
  readonly onLandedDespiteError?: (err: unknown, landed: number, of: number) => void;
}

/**
 * Lands rows in ClickHouse and returns the ones ClickHouse refused as data.
 * Transient and configuration failures retry with capped exponential backoff (never skip);
 * a bad-data or block-too-large failure splits the rows in halves until the block fits or
 * each refused row stands alone. Sub-inserts carry tokens derived from their offset range,
 * so a repeat of the same split after a crash deduplicates too. Before splitting, rows the
 * failed insert wrote anyway (options.landedAmong) are taken out: they landed.
 */
export async function landRows(
  rows: RowLines,
  token: string,
  options: LandRowsOptions,
): Promise<RefusedRow[]> {
  if (rows.length === 0) return [];
  try {
    await options.retry.run(() => options.insert(rows, token, options.signal), {
      signal: options.signal,
      classify: insertRetryDecision,
      onRetry: options.onRetry,
    });
    return [];
  } catch (err) {
    if (options.signal.aborted || insertRetryDecision(err) === 'retry') throw err;
    // Rows the failed insert wrote anyway are never inserted again nor dead-lettered (they
    // are in the table, once); the rest is tried again as one block under a derived token.
    const landed = (await options.landedAmong?.(rows)) ?? new Set<number>();
    if (landed.size > 0) {
      options.onLandedDespiteError?.(err, landed.size, rows.length);
      const restRows = rows.omit(landed);
      return landRows(restRows, remainderToken(token, restRows), options);
    }
    if (rows.length === 1) {
      return [
        {
          offset: rows.offset(0),
          row: Buffer.from(rows.bytes(0)),
          deadLetter: {
            reason: 'rejected_by_clickhouse',
            stage: 'sink',
            message: errorMessage(err),
          },
        },
      ];
    }
    const mid = Math.ceil(rows.length / 2);
    const left = await landRows(rows.slice(0, mid), subToken(token, rows, 0, mid), options);
    const right = await landRows(rows.slice(mid), subToken(token, rows, mid, rows.length), options);
    return [...left, ...right];
  }
}

function subToken(token: string, rows: RowLines, from: number, to: number): string {
  return `${token}/${rows.offset(from)}-${rows.offset(to - 1)}`;
}
