import { setting } from './setting.ts';
import { positiveInt } from './value-types.ts';

/** How inserts into ClickHouse run and are retried. */
export const INSERT_SETTINGS = {
  maxInFlight: setting({
    env: 'INSERT_MAX_IN_FLIGHT',
    type: positiveInt,
    default: 4,
    doc: 'Concurrent inserts (one per partition at a time)',
  }),
  timeoutMs: setting({
    env: 'INSERT_TIMEOUT_MS',
    type: positiveInt,
    default: 30_000,
    doc: 'Timeout of one insert attempt',
  }),
  retryInitialMs: setting({
    env: 'INSERT_RETRY_INITIAL_MS',
    type: positiveInt,
    default: 500,
    doc: 'First retry delay (doubles, with jitter)',
  }),
  retryMaxMs: setting({
    env: 'INSERT_RETRY_MAX_MS',
    type: positiveInt,
    default: 30_000,
    doc: 'Longest retry delay; transient failures retry forever',
  }),
  /**
   * Sent as the insert's max_partitions_per_insert_block (ClickHouse's default is 100), so
   * the server and the worker agree on the limit; a batch spanning more months is split into
   * deterministic sub-blocks.
   */
  maxPartitionsPerBlock: setting({
    env: 'INSERT_MAX_PARTITIONS_PER_BLOCK',
    type: positiveInt.max(1_000),
    default: 100,
    doc: 'Most months one insert may touch; batches spanning more are split (sent as max_partitions_per_insert_block)',
  }),
};
