import type PQueue from 'p-queue';
import type { RejectedMessage, SealedBatch } from '../batch/sealed-batch.ts';
import type { OffsetCommitter } from '../commit/offset-committer.ts';
import {
  encodeCommitMark,
  encodePendingRangeV1,
  type DeadLetterMark,
} from '../commit/pending-range.ts';
import type { StartPosition } from '../consume/start-position.ts';
import type { DeadLetterPublisher } from '../dlq/dead-letter-publisher.ts';
import { OwnershipLostError } from '../errors.ts';
import { failpoint } from '../observe/failpoints.ts';
import type { RetryPolicy } from '../retry/retry-policy.ts';
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
  /** The committed position once its last DLQ transaction is final (committed-offsets.ts). */
  readonly readSettledPosition: (topic: string, partition: number) => Promise<StartPosition>;
  /** Bounds concurrent inserts across partitions (insert.maxInFlight). */
  readonly insertQueue: PQueue;
  /** Inserts and the landed-rows query retry under it (retry/retry-policy.ts). */
  readonly retry: RetryPolicy;
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
  /** A recorded range was re-formed and ClickHouse asked: `skipped` of its rows landed already. */
  readonly onRecordedRangeChecked?: (
    lane: PartitionLane,
    batch: SealedBatch,
    skipped: number,
    queryMs: number,
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

/**
 * One batch, start to finish, in the order that makes it effectively exactly-once:
 * 1. commit the current offset with the pending range as metadata (fenced by generation);
 * 2. insert the rows with the range's deduplication token (a re-formed range first asks
 *    ClickHouse which rows landed already: its first insert may be out of the window);
 * 3. if there are dead letters: mark the range `dlq=due` (fenced by generation), then write
 *    them in one DLQ transaction that also commits the same offset marked `dlq=done`
 *    (dead-letter-publisher.ts);
 * 4. commit the offset after the range.
 * A crash anywhere leaves either nothing inserted or a recorded range that the next owner
 * re-forms exactly, whose repeated insert ClickHouse drops by token (or skips, having found
 * the rows), and whose dead letters it writes only if the mark does not say `done`.
 */
export async function deliverBatch(
  lane: PartitionLane,
  batch: SealedBatch,
  deps: DeliveryDependencies,
): Promise<DeliveryResult> {
  const { topic, partition } = lane;
  const signal = lane.abort.signal;
  const stillOwned = (): boolean => lane.alive && deps.isCurrent(lane);
  // Written by an earlier owner, in the transaction that committed the mark we re-formed from.
  const lettersWritten = batch.recorded?.deadLetters === 'done';
  const pendingOffset = lane.watermark.committable;
  const markPending = (deadLetters: DeadLetterMark | undefined): Promise<void> =>
    deps.committer.commit({
      topic,
      partition,
      offset: pendingOffset,
      metadata: pendingMark(lane, batch, deadLetters),
      stillOwned,
      signal,
    });
  try {
    failpoint('before-pending-commit');
    await markPending(lettersWritten ? 'done' : undefined);
    const started = performance.now();
    const rejectedBySink = await deps.insertQueue.add(
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
            retry: deps.retry,
            signal,
            onRetry: (err, attempt, delayMs) => deps.onInsertRetry(lane, err, attempt, delayMs),
            landedAmong: (rows, sources) =>
              landedAmong(batch, deps.readLanded, rows, sources, { retry: deps.retry, signal }),
            onLandedDespiteError: (err, landed, of) =>
              deps.onLandedDespiteError?.(lane, batch, err, landed, of),
          },
          deps.maxPartitionsPerBlock,
        );
      },
      { signal },
    );
    const rejected = [...batch.rejected, ...rejectedBySink];
    if (rejected.length > 0 && !lettersWritten) {
      await deps.deadLetters.publish(
        rejected,
        {
          topic,
          partition,
          offset: pendingOffset,
          metadata: pendingMark(lane, batch, 'done'),
          stillOwned,
          claim: () => markPending('due'),
          written: async () => {
            const { offset, pending } = await deps.readSettledPosition(topic, partition);
            return (
              offset === pendingOffset &&
              pending?.first === batch.firstOffset &&
              pending.deadLetters === 'done'
            );
          },
        },
        signal,
      );
      failpoint('after-dead-letters-before-commit');
    }
    deps.onLanded(lane, batch, rejected, performance.now() - started);

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

function pendingMark(
  lane: PartitionLane,
  batch: SealedBatch,
  deadLetters: DeadLetterMark | undefined,
): string {
  const range = { first: batch.firstOffset, last: batch.lastOffset };
  return lane.namespace === undefined
    ? encodePendingRangeV1(range)
    : encodeCommitMark(lane.namespace, { ...range, deadLetters });
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
  lane: PartitionLane,
  batch: SealedBatch,
  deps: DeliveryDependencies,
): Promise<RowsToLand> {
  if (batch.recorded === undefined && batch.reformed === undefined) return { ...batch, skipped: 0 };
  const asked = performance.now();
  const remaining = await skipLandedRows(batch, deps.readLanded, {
    retry: deps.retry,
    signal: lane.abort.signal,
  });
  deps.onRecordedRangeChecked?.(lane, batch, remaining.skipped, performance.now() - asked);
  if (batch.reformed === undefined && remaining.skipped === 0) return { ...batch, skipped: 0 };
  if (batch.reformed !== undefined) deps.onReformedLanding?.(lane, batch, remaining.skipped);
  return remaining;
}
