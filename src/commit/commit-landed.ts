import type { SealedBatch } from '../batch/sealed-batch.ts';
import type { PartitionOwner } from '../deliver/partition-owner.ts';
import { failpoint } from '../observe/failpoints.ts';
import type { OffsetCommitter } from './offset-committer.ts';
import { encodeCommitMark } from './pending-range.ts';

/**
 * The last step: `batch` landed (rows inserted, dead letters written), so the partition's
 * position moves past it. The mark keeps only the token namespace, which stays with the
 * partition's committed position for every later owner (batch/token-namespace.ts).
 */
export async function commitLanded(
  committer: OffsetCommitter,
  owner: PartitionOwner,
  batch: SealedBatch,
): Promise<void> {
  const committing = commitPosition(committer, owner, batch.lastOffset + 1n);
  failpoint('during-commit');
  await committing;
}

/** Commits `offset` as the partition's position, nothing pending (everything below it landed). */
export async function commitPosition(
  committer: OffsetCommitter,
  owner: PartitionOwner,
  offset: bigint,
): Promise<void> {
  await committer.commit({
    topic: owner.topic,
    partition: owner.partition,
    offset,
    metadata: owner.namespace === undefined ? null : encodeCommitMark(owner.namespace),
    stillOwned: () => owner.stillOwned(),
    signal: owner.signal,
  });
}
