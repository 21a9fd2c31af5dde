import type { RowLines } from '../batch/row-lines.ts';
import type { SourceMessage } from '../batch/source-message.ts';
import type { EventRow } from '../decode/event-row.ts';

/**
 * The ClickHouse partition a row lands in: `toYYYYMM(timestamp)`, the `PARTITION BY` of
 * `events` (schemas/migrations/0001) and, through the row's timestamp, of every rollup fed
 * from it (sessions, events_hourly, token_usage_daily all partition by the month of a time
 * taken from these rows). `row.timestamp` is UTC text, `YYYY-MM-DD hh:mm:ss.sss`.
 */
export function partitionKeyOf(row: Pick<EventRow, 'timestamp'>): string {
  return row.timestamp.slice(0, 4) + row.timestamp.slice(5, 7);
}

export interface RowBlock {
  readonly rows: RowLines;
  readonly sources: readonly SourceMessage[];
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
export function splitByPartition(
  rows: RowLines,
  sources: readonly SourceMessage[],
  partitionKeys: readonly string[],
  token: string,
  maxPartitions: number,
): RowBlock[] {
  const distinct = [...new Set(partitionKeys)].sort();
  if (distinct.length <= maxPartitions) return [{ rows, sources, token }];
  const blockOf = new Map<string, number>();
  distinct.forEach((key, i) => blockOf.set(key, Math.floor(i / maxPartitions)));
  const blocks = Array.from({ length: Math.ceil(distinct.length / maxPartitions) }, (_, b) => {
    const keys = distinct.slice(b * maxPartitions, (b + 1) * maxPartitions);
    return {
      indexes: [] as number[],
      sources: [] as SourceMessage[],
      token: `${token}/p${keys[0]}-${keys[keys.length - 1]}`,
    };
  });
  partitionKeys.forEach((key, i) => {
    const block = blocks[blockOf.get(key)!]!;
    block.indexes.push(i);
    block.sources.push(sources[i]!);
  });
  return blocks.map(({ indexes, sources, token }) => ({
    rows: rows.pick(indexes),
    sources,
    token,
  }));
}
