import type PQueue from 'p-queue';
import type { RefusedRow, SealedBatch } from '../batch/sealed-batch.ts';
import { OwnershipLostError } from '../errors.ts';
import { failpoint } from '../observe/failpoints.ts';
import type { RetryPolicy } from '../retry/retry-policy.ts';
import { landRows, type RowInserter } from '../sink/land-rows.ts';
import {
  landedAmong,
  skipLandedRows,
  type LandedRowsReader,
  type RowsToLand,
} from '../sink/skip-landed-rows.ts';
import { splitByPartition } from '../sink/split-by-partition.ts';
import type { DeliveryEvents } from './delivery-events.ts';
import type { PartitionOwner } from './partition-owner.ts';

export interface LandBatchDependencies {
  readonly insert: RowInserter;
  /** Asks ClickHouse which rows of a re-formed range landed already (skip-landed-rows.ts). */
  readonly readLanded: LandedRowsReader;
  /** The uuid of a row as the insert carries it (serialise/row-format.ts): the landed-rows check. */
  readonly rowUuid: (row: Buffer) => string;
  /** Bounds concurrent inserts across partitions (insert.maxInFlight). */
  readonly insertQueue: PQueue;
  /** Inserts and the landed-rows query retry under it (retry/retry-policy.ts). */
  readonly retry: RetryPolicy;
  /** Most ClickHouse partitions (months) one insert may touch (insert.maxPartitionsPerBlock). */
  readonly maxPartitionsPerBlock: number;
  /** Resolves once the group recently confirmed this member (consume/membership-lease.ts). */
  readonly awaitMembership: (signal: AbortSignal) => Promise<void>;
  readonly events: DeliveryEvents;
}

/**
 * Inserts the batch's rows (its turn in the insert queue, blocks within the partition limit,
 * transient failures retried, bad rows split out) and returns the rows ClickHouse refused.
 */
export function landBatch(
  owner: PartitionOwner,
  batch: SealedBatch,
  deps: LandBatchDependencies,
): Promise<RefusedRow[]> {
  const { signal } = owner;
  const retry = { retry: deps.retry, signal, uuidOf: deps.rowUuid };
  return deps.insertQueue.add(
    async () => {
      if (!owner.stillOwned()) throw new OwnershipLostError(owner.topic, owner.partition);
      failpoint('before-insert');
      const { rows, deduplicationToken } = await rowsToLand(batch, deps, signal);
      const rejected: RefusedRow[] = [];
      for (const block of splitByPartition(rows, deduplicationToken, deps.maxPartitionsPerBlock)) {
        const refused = await landRows(block.rows, block.token, {
          ...retry,
          // Every attempt: a worker frozen past its session may have been evicted without
          // knowing it; it must not insert until the group confirms it.
          insert: async (blockRows, token, insertSignal) => {
            await deps.awaitMembership(signal);
            return deps.insert(blockRows, token, insertSignal);
          },
          onRetry: (err, attempt, delayMs) =>
            deps.events.insertRetried(batch, err, attempt, delayMs),
          landedAmong: (failedRows) => landedAmong(batch, deps.readLanded, failedRows, retry),
          onLandedDespiteError: (err, landed, of) =>
            deps.events.landedDespiteError(batch, err, landed, of),
        });
        rejected.push(...refused);
      }
      return rejected;
    },
    { signal },
  );
}

/**
 * A batch as formed, or — when it re-forms a range an earlier owner recorded — only its rows
 * ClickHouse does not hold yet. Always asked for a recorded range, not only one that came out
 * different: its first insert may have landed long before (an outage, a long rebalance) and
 * ClickHouse's deduplication window, counted in blocks of the whole table, may have moved past
 * its token since; the rows themselves do not move. One query per re-formed range.
 * A range re-formed exactly of which nothing landed keeps its recorded token (so an insert of
 * it still in flight somewhere deduplicates against this one); otherwise the rest goes under a
 * token derived from the recorded one and what remains.
 */
async function rowsToLand(
  batch: SealedBatch,
  deps: LandBatchDependencies,
  signal: AbortSignal,
): Promise<RowsToLand> {
  if (batch.recorded === undefined && batch.reformed === undefined) return { ...batch, skipped: 0 };
  const asked = performance.now();
  const remaining = await skipLandedRows(batch, deps.readLanded, {
    retry: deps.retry,
    signal,
    uuidOf: deps.rowUuid,
  });
  deps.events.recordedRangeChecked(batch, remaining.skipped, performance.now() - asked);
  if (batch.reformed === undefined && remaining.skipped === 0) return { ...batch, skipped: 0 };
  if (batch.reformed !== undefined) deps.events.reformedLanding(batch, remaining.skipped);
  return remaining;
}
