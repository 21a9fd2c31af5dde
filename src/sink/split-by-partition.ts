import type { RowLines } from '../batch/row-lines.ts';
import type { EventRow } from '../decode/event-row.ts';

/**
 * The ClickHouse partition a row lands in: `toYYYYMM(timestamp)` as a number, the `PARTITION
 * BY` of `events` (schemas/migrations/0001) and, through the row's timestamp, of every rollup
 * fed from it (sessions, events_hourly, token_usage_daily all partition by the month of a time
 * taken from these rows). `row.timestamp` is UTC text, `YYYY-MM-DD hh:mm:ss.sss`: read digit
 * by digit, nothing allocated.
 */
export function partitionKeyOf(row: Pick<EventRow, 'timestamp'>): number {
  const t = row.timestamp;
  let key = 0;
  for (const i of MONTH_DIGITS) key = key * 10 + (t.charCodeAt(i) - 48);
  return key;
}

/** Positions of YYYY and MM in `YYYY-MM-DD …`. */
const MONTH_DIGITS = [0, 1, 2, 3, 5, 6] as const;

export interface RowBlock {
  readonly rows: RowLines;
  readonly token: string;
}

/**
 * Splits a batch's rows into blocks of at most `maxPartitions` distinct partitions each, so
 * that no insert breaks ClickHouse's `max_partitions_per_insert_block` (a backfill or bad
 * device clocks can put 120 months in one batch; ClickHouse refuses more than 100 in a block,
 * and the refusal repeats on every retry).
 *
 * Deterministic, so exactly-once holds across crashes: the same range re-formed by another
 * worker holds the same rows, hence the same partitions, hence the same blocks and tokens,
 * and ClickHouse drops the repeats. A batch within the limit is one block under the batch's
 * own token, as before; otherwise partitions are taken in ascending order, `maxPartitions`
 * at a time, each block keeping its rows' offset order, its token the batch's token plus
 * the partitions it covers (`…:0-99/p200101-200804`).
 */
export function splitByPartition(rows: RowLines, token: string, maxPartitions: number): RowBlock[] {
  const distinct = partitionsOf(rows);
  if (distinct.length <= maxPartitions) return [{ rows, token }];
  const blockOf = new Map<number, number>();
  distinct.forEach((key, i) => blockOf.set(key, Math.floor(i / maxPartitions)));
  const blocks = Array.from({ length: Math.ceil(distinct.length / maxPartitions) }, (_, b) => {
    const keys = distinct.slice(b * maxPartitions, (b + 1) * maxPartitions);
    return { indexes: [] as number[], token: `${token}/p${keys[0]}-${keys[keys.length - 1]}` };
  });
  for (let k = 0; k < rows.length; k++) blocks[blockOf.get(rows.partitionKey(k))!]!.indexes.push(k);
  return blocks.map(({ indexes, token }) => ({ rows: rows.pick(indexes), token }));
}

/** The distinct partitions (YYYYMM) of `rows`, ascending. */
export function partitionsOf(rows: RowLines): number[] {
  const keys = new Set<number>();
  for (let k = 0; k < rows.length; k++) keys.add(rows.partitionKey(k));
  return [...keys].sort((a, b) => a - b);
}
