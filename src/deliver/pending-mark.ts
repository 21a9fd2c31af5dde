import type { SealedBatch } from '../batch/sealed-batch.ts';
import type { OffsetCommitter } from '../commit/offset-committer.ts';
import {
  encodeCommitMark,
  encodePendingRangeV1,
  type DeadLetterMark,
} from '../commit/pending-range.ts';
import type { PartitionOwner } from './partition-owner.ts';

/** The metadata saying `batch` is pending (and what of its dead letters), for the next owner. */
export function pendingMark(
  owner: PartitionOwner,
  batch: SealedBatch,
  deadLetters: DeadLetterMark | undefined,
): string {
  const range = { first: batch.firstOffset, last: batch.lastOffset };
  return owner.namespace === undefined
    ? encodePendingRangeV1(range)
    : encodeCommitMark(owner.namespace, { ...range, deadLetters });
}

/**
 * Commits the partition's position before `batch` (its `commitFrom`) with the pending mark:
 * fenced by the group generation, so a member that lost the partition cannot record it.
 */
export function markPending(
  committer: OffsetCommitter,
  owner: PartitionOwner,
  batch: SealedBatch,
  deadLetters: DeadLetterMark | undefined,
): Promise<void> {
  return committer.commit({
    topic: owner.topic,
    partition: owner.partition,
    offset: batch.commitFrom,
    metadata: pendingMark(owner, batch, deadLetters),
    stillOwned: () => owner.stillOwned(),
    signal: owner.signal,
  });
}
