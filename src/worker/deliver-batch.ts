import type PQueue from 'p-queue';
import type { RejectedMessage, SealedBatch } from '../batch/sealed-batch.ts';
import type { OffsetCommitter } from '../commit/offset-committer.ts';
import { encodeCommitMark, encodePendingRangeV1 } from '../commit/pending-range.ts';
import type { DeadLetterPublisher } from '../dlq/dead-letter-publisher.ts';
import { OwnershipLostError } from '../errors.ts';
import { failpoint } from '../observe/failpoints.ts';
import { landRows, type LandRowsOptions, type RowInserter } from '../sink/land-rows.ts';
import {
  landedAmong,
  skipLandedRows,
  type LandedRowsReader,
  type RowsToLand,
} from '../sink/skip-landed-rows.ts';
import { splitByPartition } from '../sink/split-by-partition.ts';
import type { PartitionLane } from './partition-lane.ts';

export interface DeliveryDependencies {
  readonly committer: OffsetCommitter;
  readonly insert: RowInserter;
  /** Asks ClickHouse which rows of a re-formed range landed already (skip-landed-rows.ts). */
  readonly readLanded: LandedRowsReader;
  readonly deadLetters: DeadLetterPublisher;
  /** Bounds concurrent inserts across partitions (insert.maxInFlight). */
  readonly insertQueue: PQueue;
  readonly retryInitialMs: number;
  readonly retryMaxMs: number;
  /** Most ClickHouse partitions (months) one insert may touch (insert.maxPartitionsPerBlock). */
  readonly maxPartitionsPerBlock: number;
  /** The lane is still the current owner of its partition (same group generation). */
  readonly isCurrent: (lane: PartitionLane) => boolean;
  /** Resolves once the group recently confirmed this member (see MembershipLease). */
  readonly awaitMembership: (signal: AbortSignal) => Promise<void>;
  readonly onInsertRetry: (
    lane: PartitionLane,
    err: unknown,
    attempt: number,
    delayMs: number,
  ) => void;
  /** A re-formed range that differs from its record is about to land without `skipped` rows. */
  readonly onReformedLanding?: (lane: PartitionLane, batch: SealedBatch, skipped: number) => void;
  /** An insert failed as data after writing `landed` of its `of` rows (land-rows.ts). */
  readonly onLandedDespiteError?: (
    lane: PartitionLane,
    batch: SealedBatch,
    err: unknown,
    landed: number,
    of: number,
  ) => void;
  readonly onLanded: (
    lane: PartitionLane,
    batch: SealedBatch,
    rejected: readonly RejectedMessage[],
    insertMs: number,
  ) => void;
}

export type DeliveryResult = 'committed' | 'lost';

/**
 * One batch, start to finish, in the order that makes it effectively exactly-once:
 * 1. commit the current offset with the pending range as metadata (fenced by generation);
 * 2. insert the rows with the range's deduplication token, and write the dead letters;
 * 3. commit the offset after the range.
 * A crash anywhere leaves either nothing inserted or a recorded range that the next owner
 * re-forms exactly, whose repeated insert ClickHouse drops by token.
 */
/** The batch's rows as blocks within the partition limit, landed one after the other. */
async function landBlocks(
  batch: Pick<SealedBatch, 'rows' | 'rowSources' | 'rowPartitionKeys' | 'deduplicationToken'>,
  options: LandRowsOptions,
  maxPartitions: number,
): Promise<RejectedMessage[]> {
  const { rows, rowSources, rowPartitionKeys, deduplicationToken } = batch;
  const rejected: RejectedMessage[] = [];
  for (const block of splitByPartition(
    rows,
    rowSources,
    rowPartitionKeys,
    deduplicationToken,
    maxPartitions,
  )) {
    rejected.push(...(await landRows(block.rows, block.sources, block.token, options)));
  }
  return rejected;
}

export async function deliverBatch(
  lane: PartitionLane,
  batch: SealedBatch,
  deps: DeliveryDependencies,
): Promise<DeliveryResult> {
  const { topic, partition } = lane;
  const signal = lane.abort.signal;
  const stillOwned = (): boolean => lane.alive && deps.isCurrent(lane);
  try {
    failpoint('before-pending-commit');
    await deps.committer.commit({
      topic,
      partition,
      offset: lane.watermark.committable,
      metadata: pendingMark(lane, batch),
      stillOwned,
      signal,
    });
    const started = performance.now();
    const [rejectedBySink] = await Promise.all([
      deps.insertQueue.add(
        async () => {
          if (!stillOwned()) throw new OwnershipLostError(topic, partition);
          failpoint('before-insert');
          return landBlocks(
            await rowsToLand(lane, batch, deps),
            {
              // Every attempt: a worker that was frozen past its session may have been
              // evicted without knowing it; it must not insert until the group confirms it.
              insert: async (rows, token, insertSignal) => {
                await deps.awaitMembership(signal);
                return deps.insert(rows, token, insertSignal);
              },
              retryInitialMs: deps.retryInitialMs,
              retryMaxMs: deps.retryMaxMs,
              signal,
              onRetry: (err, attempt, delayMs) => deps.onInsertRetry(lane, err, attempt, delayMs),
              landedAmong: (rows, sources) =>
                landedAmong(batch, deps.readLanded, rows, sources, {
                  retryInitialMs: deps.retryInitialMs,
                  retryMaxMs: deps.retryMaxMs,
                  signal,
                }),
              onLandedDespiteError: (err, landed, of) =>
                deps.onLandedDespiteError?.(lane, batch, err, landed, of),
            },
            deps.maxPartitionsPerBlock,
          );
        },
        { signal },
      ),
      deps.deadLetters.publish(batch.rejected, signal),
    ]);
    await deps.deadLetters.publish(rejectedBySink, signal);
    deps.onLanded(lane, batch, [...batch.rejected, ...rejectedBySink], performance.now() - started);

    failpoint('after-insert-before-commit');
    const next = lane.watermark.complete(batch.firstOffset, batch.lastOffset);
    if (next !== undefined) {
      const committing = deps.committer.commit({
        topic,
        partition,
        offset: next,
        // The namespace stays with the partition's committed position (token-namespace.ts).
        metadata: lane.namespace === undefined ? null : encodeCommitMark(lane.namespace),
        stillOwned,
        signal,
      });
      failpoint('during-commit');
      await committing;
    }
    return 'committed';
  } catch (err) {
    if (err instanceof OwnershipLostError || signal.aborted) return 'lost';
    throw err;
  }
}

function pendingMark(lane: PartitionLane, batch: SealedBatch): string {
  const range = { first: batch.firstOffset, last: batch.lastOffset };
  return lane.namespace === undefined
    ? encodePendingRangeV1(range)
    : encodeCommitMark(lane.namespace, range);
}

/**
 * A batch as formed, or — when it re-formed a recorded range that came out different — only
 * its rows ClickHouse does not hold yet, under a token derived from the recorded one.
 */
async function rowsToLand(
  lane: PartitionLane,
  batch: SealedBatch,
  deps: DeliveryDependencies,
): Promise<RowsToLand> {
  if (batch.reformed === undefined) return { ...batch, skipped: 0 };
  const remaining = await skipLandedRows(batch, deps.readLanded, {
    retryInitialMs: deps.retryInitialMs,
    retryMaxMs: deps.retryMaxMs,
    signal: lane.abort.signal,
  });
  deps.onReformedLanding?.(lane, batch, remaining.skipped);
  return remaining;
}
