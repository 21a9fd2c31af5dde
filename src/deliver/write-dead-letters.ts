import type { RejectedMessage, SealedBatch } from '../batch/sealed-batch.ts';
import type { OffsetCommitter } from '../commit/offset-committer.ts';
import type { StartPosition } from '../consume/start-position.ts';
import type { DeadLetterPublisher } from '../dlq/dead-letter-publisher.ts';
import { markPending, pendingMark } from './pending-mark.ts';
import type { PartitionOwner } from './partition-owner.ts';

export interface WriteDeadLettersDependencies {
  readonly committer: OffsetCommitter;
  readonly deadLetters: Pick<DeadLetterPublisher, 'publish'>;
  /** The committed position once its last DLQ transaction is final (committed-offsets.ts). */
  readonly readSettledPosition: (topic: string, partition: number) => Promise<StartPosition>;
}

/**
 * Writes the batch's dead letters in one DLQ transaction that also commits the batch's
 * pending position marked `dlq=done` (dead-letter-publisher.ts). Before the letters go out,
 * the range is marked `dlq=due` (fenced by the group generation): a later owner finding `due`
 * fences this transaction before reading on, one finding `done` never writes them again.
 */
export function writeDeadLetters(
  owner: PartitionOwner,
  batch: SealedBatch,
  rejected: readonly RejectedMessage[],
  deps: WriteDeadLettersDependencies,
): Promise<void> {
  const { topic, partition } = owner;
  return deps.deadLetters.publish(
    rejected,
    {
      topic,
      partition,
      offset: batch.commitFrom,
      metadata: pendingMark(owner, batch, 'done'),
      stillOwned: () => owner.stillOwned(),
      claim: () => markPending(deps.committer, owner, batch, 'due'),
      written: async () => {
        const { offset, pending } = await deps.readSettledPosition(topic, partition);
        return (
          offset === batch.commitFrom &&
          pending?.first === batch.firstOffset &&
          pending.deadLetters === 'done'
        );
      },
    },
    owner.signal,
  );
}
