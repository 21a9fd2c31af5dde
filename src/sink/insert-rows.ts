import { Readable } from 'node:stream';
import type { ClickHouseClient, ClickHouseSettings } from '@clickhouse/client';
import type { RowLines } from '../batch/row-lines.ts';
import { EVENT_COLUMNS } from '../serialise/event-columns.ts';
import { ROW_BINARY, type RowFormat } from '../serialise/row-format.ts';

/**
 * Settings pinned on every insert so that a retried insert forms the same single block
 * and ClickHouse recognises it by its token. Rollup materialized views deduplicate too.
 */
export function insertSettings(
  token: string,
  distributed = false,
  maxPartitionsPerBlock?: number,
  format: RowFormat = ROW_BINARY,
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
    ...format.settings,
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
  /** The format the rows were written in (serialise/row-format.ts). */
  readonly format: RowFormat;
}

/**
 * Sends serialised rows (serialise/row-format.ts, held as bytes: batch/row-lines.ts) as one
 * insert carrying `token`: the body is the format's header and the batch's own buffers,
 * nothing is joined or re-encoded.
 */
export async function insertRows(
  target: InsertTarget,
  rows: RowLines,
  token: string,
  signal?: AbortSignal,
): Promise<void> {
  const { format } = target;
  const result = await target.client.exec({
    query: `INSERT INTO ${target.database}.${target.table} (${EVENT_COLUMNS.join(', ')}) FORMAT ${format.name}`,
    values: Readable.from(bodyOf(format, rows), { objectMode: false }),
    clickhouse_settings: insertSettings(
      token,
      target.distributed === true,
      target.maxPartitionsPerBlock,
      format,
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

function* bodyOf(format: RowFormat, rows: RowLines): Generator<Buffer> {
  if (format.header.length > 0) yield format.header;
  yield* rows.chunks();
}
