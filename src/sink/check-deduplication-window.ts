import type { ClickHouseClient } from '@clickhouse/client';
import type { Admin } from 'kafkajs';
import { errorMessage, IngestError } from '../errors.ts';
import type { Logger } from '../log/logger.ts';
import {
  judgeDeduplicationWindow,
  readDeduplicationWindow,
  requiredDeduplicationWindow,
} from './deduplication-window.ts';

export interface WindowCheckTarget {
  readonly database: string;
  readonly table: string;
  readonly distributed: boolean;
  readonly topics: readonly string[];
  readonly maxPartitionsPerBlock: number;
}

/**
 * Start-up check of the events table's deduplication window (deduplication-window.ts):
 * refuses a table that deduplicates nothing, warns about one smaller than the pipeline's
 * in-flight retries need. A table not there yet, or ClickHouse not answering, is only
 * logged: inserts report that on their own.
 */
export async function checkDeduplicationWindow(
  client: ClickHouseClient,
  admin: Pick<Admin, 'fetchTopicMetadata'>,
  target: WindowCheckTarget,
  log: Logger,
): Promise<void> {
  let window;
  let partitions = 0;
  try {
    window = await readDeduplicationWindow(client, target);
    const metadata = await admin.fetchTopicMetadata({ topics: [...target.topics] });
    for (const topic of metadata.topics) partitions += topic.partitions.length;
  } catch (err) {
    log.warn({ err: errorMessage(err) }, 'could not read the deduplication window; not checked');
    return;
  }
  if (window === undefined) {
    log.warn({ table: target.table }, 'events table not found; deduplication window not checked');
    return;
  }
  const required = requiredDeduplicationWindow(partitions, target.maxPartitionsPerBlock);
  const fields = {
    table: window.table,
    setting: window.setting,
    blocks: window.blocks,
    required,
    partitions,
    maxPartitionsPerBlock: target.maxPartitionsPerBlock,
  };
  switch (judgeDeduplicationWindow(window.blocks, required, partitions)) {
    case 'disabled':
      throw new IngestError(
        `${window.table}: ${window.setting} = ${window.blocks} turns insert deduplication off, so a retried insert would land twice; set it to ${required} or more (partitions × INSERT_MAX_PARTITIONS_PER_BLOCK × 2; the migrations set 1000)`,
        { retriable: false },
      );
    case 'small':
      log.warn(
        fields,
        `${window.setting} is smaller than partitions × 2: an insert retried after a timeout may land twice (re-formed ranges are checked against the table and are safe); raise it`,
      );
      return;
    case 'steady':
      log.info(
        fields,
        `${window.setting} holds steady traffic's retries; batches spanning many months on many partitions at once (a backfill) could outrun it: raise it to ${required} to hold those too`,
      );
      return;
    case 'ok':
      log.info(fields, 'deduplication window holds the in-flight retries');
  }
}
