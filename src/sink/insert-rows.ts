import { Readable } from 'node:stream';
import type { ClickHouseClient, ClickHouseSettings } from '@clickhouse/client';
import type { RowLines } from '../batch/row-lines.ts';
import { EVENT_COLUMNS } from '../serialise/event-columns.ts';
import { ROW_FORMAT, ROW_FORMAT_SETTINGS } from '../serialise/row-line.ts';

/**
 * Settings pinned on every insert so that a retried insert forms the same single block
 * and ClickHouse recognises it by its token. Rollup materialized views deduplicate too.
 */
export function insertSettings(
  token: string,
  distributed = false,
  maxPartitionsPerBlock?: number,
): ClickHouseSettings {
  return {
    // The worker splits batches to this many partitions (split-by-partition.ts): the
    // server must agree, whatever the user's profile says.
    ...(maxPartitionsPerBlock === undefined
      ? {}
      : { max_partitions_per_insert_block: String(maxPartitionsPerBlock) }),
    // Into a Distributed table, acknowledge only once every shard wrote the block (and its
    // token): a background (queued) insert would let offsets be committed too early.
    ...(distributed ? { distributed_foreground_insert: 1 } : {}),
    insert_deduplicate: 1,
    insert_deduplication_token: token,
    deduplicate_blocks_in_dependent_materialized_views: 1,
    async_insert: 0,
    max_insert_block_size: '1048576',
    min_insert_block_size_rows: '1048576',
    min_insert_block_size_bytes: '1073741824',
    date_time_input_format: 'basic',
    input_format_skip_unknown_fields: 0,
    ...ROW_FORMAT_SETTINGS,
  };
}

export interface InsertTarget {
  readonly client: ClickHouseClient;
  readonly database: string;
  readonly table: string;
  /** The table is a `Distributed` table over the cluster's shards (clickhouse.distributed). */
  readonly distributed?: boolean;
  /** insert.maxPartitionsPerBlock, sent as max_partitions_per_insert_block. */
  readonly maxPartitionsPerBlock?: number;
}

/**
 * Sends serialised row lines (row-line.ts, held as bytes: batch/row-lines.ts) as one insert
 * carrying `token`: the body is the batch's own buffers, nothing is joined or re-encoded.
 */
export async function insertRows(
  target: InsertTarget,
  rows: RowLines,
  token: string,
  signal?: AbortSignal,
): Promise<void> {
  const result = await target.client.exec({
    query: `INSERT INTO ${target.database}.${target.table} (${EVENT_COLUMNS.join(', ')}) FORMAT ${ROW_FORMAT}`,
    values: Readable.from(rows.chunks(), { objectMode: false }),
    clickhouse_settings: insertSettings(
      token,
      target.distributed === true,
      target.maxPartitionsPerBlock,
    ),
    ...(signal === undefined ? {} : { abort_signal: signal }),
  });
  // Nothing useful in the body, but the socket is only released once it is read.
  result.stream.resume();
  await new Promise<void>((resolve, reject) => {
    result.stream.once('end', resolve);
    result.stream.once('error', reject);
  });
}
