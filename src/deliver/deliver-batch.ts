import type { SealedBatch } from '../batch/sealed-batch.ts';
import { commitLanded } from '../commit/commit-landed.ts';
import { OwnershipLostError } from '../errors.ts';
import { failpoint } from '../observe/failpoints.ts';
import { landBatch, type LandBatchDependencies } from './land-batch.ts';
import { markPending } from './pending-mark.ts';
import type { PartitionOwner } from './partition-owner.ts';
import { recoverOriginals, type RecoverOriginalsDependencies } from './recover-originals.ts';
import { writeDeadLetters, type WriteDeadLettersDependencies } from './write-dead-letters.ts';

export type DeliveryDependencies = LandBatchDependencies &
  RecoverOriginalsDependencies &
  WriteDeadLettersDependencies;

/** `lost`: the partition went to another owner meanwhile; it re-forms the batch itself. */
export type DeliveryResult = 'committed' | 'lost';

/**
 * Step 5: one batch, start to finish, in the order that makes it effectively exactly once:
 * 1. commit the position before the batch with the range as pending metadata (pending-mark.ts);
 * 2. insert its rows under the range's deduplication token (land-batch.ts);
 * 3. write its dead letters, decode's and ClickHouse's (their messages read again from Kafka,
 *    recover-originals.ts), in one DLQ transaction that marks the range `dlq=done`
 *    (write-dead-letters.ts);
 * 4. commit the position after the batch (commit/commit-landed.ts).
 * A crash anywhere leaves either nothing inserted or a recorded range that the next owner
 * re-forms exactly, whose repeated insert ClickHouse drops by token (or skips, having found
 * the rows), and whose dead letters it writes only if the mark does not say `done`.
 */
export async function deliverBatch(
  owner: PartitionOwner,
  batch: SealedBatch,
  deps: DeliveryDependencies,
): Promise<DeliveryResult> {
  // Written by an earlier owner, in the transaction that committed the mark we re-formed from.
  const lettersWritten = batch.recorded?.deadLetters === 'done';
  try {
    failpoint('before-pending-commit');
    await markPending(deps.committer, owner, batch, lettersWritten ? 'done' : undefined);

    const started = performance.now();
    const refused = await landBatch(owner, batch, deps);

    if (batch.rejected.length + refused.length > 0 && !lettersWritten) {
      const rejected = [
        ...batch.rejected,
        ...(await recoverOriginals(owner, batch, refused, deps)),
      ];
      await writeDeadLetters(owner, batch, rejected, deps);
      failpoint('after-dead-letters-before-commit');
    }
    deps.events.landed(batch, refused.length, performance.now() - started);

    failpoint('after-insert-before-commit');
    await commitLanded(deps.committer, owner, batch);
    return 'committed';
  } catch (err) {
    if (err instanceof OwnershipLostError || owner.signal.aborted) return 'lost';
    throw err;
  }
}
