import type { CompressionTypes, Message } from 'kafkajs';
import { IngestError, OwnershipLostError } from '../errors.ts';
import type { DeadLetterProducers } from './dead-letter-producers.ts';

/** The source partition's offset committed with its dead letters, in the same transaction. */
export interface DeadLetterCommit {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  /** The pending range's metadata marked `dlq=done` (commit/pending-range.ts). */
  readonly metadata: string | null;
  /** Checked before each attempt and before committing: a terminated pipeline must not commit. */
  readonly stillOwned: () => boolean;
  /**
   * Proves to the group coordinator that this member still owns the partition, and leaves
   * the range marked `dlq=due` (a generation-checked offset commit). Called in every attempt
   * after the producer's epoch was allocated and before anything is sent: see
   * writeDeadLetterTransaction.
   */
  readonly claim: () => Promise<void>;
  /**
   * Whether the committed position says this range's dead letters were written
   * (`dlq=done`): asked after a commit whose outcome is unknown, once a new producer's
   * initialisation made that transaction final.
   */
  readonly written: () => Promise<boolean>;
}

/** Where the transaction writes: the DLQ topic, through the source partition's producer. */
export interface DeadLetterTransactionTarget {
  /** One transactional producer per source partition (dead-letter-producers.ts). */
  readonly producers: DeadLetterProducers;
  /** The DLQ topic. */
  readonly topic: string;
  /** The consumer group whose offset each transaction commits. */
  readonly groupId: string;
  /** Codec of the produced batches (KAFKA_DLQ_COMPRESSION); none by default. */
  readonly compression?: CompressionTypes;
}

/** `commit()` failed: the broker may or may not have committed the transaction. */
export class UncertainCommitError extends IngestError {
  constructor(cause: unknown) {
    super('DLQ transaction commit failed; its outcome is unknown', { retriable: true, cause });
  }
}

/**
 * One transaction: every chunk (a produce request each), the offset with its mark, commit.
 * `afterUncertainCommit`: an earlier attempt's commit failed and may have gone through.
 * Throws OwnershipLostError if the pipeline was terminated meanwhile, UncertainCommitError if the
 * commit itself failed; whatever it throws, the producer is to be discarded.
 */
export async function writeDeadLetterTransaction(
  target: DeadLetterTransactionTarget,
  chunks: readonly Message[][],
  commit: DeadLetterCommit,
  afterUncertainCommit: boolean,
): Promise<void> {
  const { producers, topic, groupId, compression } = target;
  const codec = compression === undefined ? {} : { compression };
  const producer = await producers.acquire(commit.topic, commit.partition);
  // Allocates the producer's epoch (InitProducerId) if it is new.
  const transaction = await producer.transaction();
  try {
    // The offset commit in a transaction (TxnOffsetCommit v0-1, all kafkajs speaks) is not
    // checked against the group generation, and a zombie that initialises a producer after
    // the new owner's fence would fence the new owner instead. So ownership is proved to
    // the group coordinator *after* our epoch exists: a new owner can only start after
    // that, finds the range marked `due`, and fences this epoch before it does anything
    // (worker/partition-pipelines.ts) — a zombie's transaction can then never commit.
    // A commit failed earlier may have gone through: initialising this producer made it
    // final; if it committed, the letters are in and the range says so. Checked before the
    // claim, which would overwrite that mark.
    if (afterUncertainCommit && (await commit.written())) {
      await transaction.abort();
      return;
    }
    await commit.claim();
    for (const messages of chunks) await transaction.send({ topic, acks: -1, ...codec, messages });
    // kafkajs's types omit `metadata`, but its TxnOffsetCommit request encodes it
    // (protocol/requests/txnOffsetCommit/v0/request.js: partition, offset, metadata).
    const partitions = [
      {
        partition: commit.partition,
        offset: commit.offset.toString(),
        metadata: commit.metadata,
      },
    ];
    await transaction.sendOffsets({
      consumerGroupId: groupId,
      topics: [{ topic: commit.topic, partitions }],
    });
    if (!commit.stillOwned()) throw new OwnershipLostError(commit.topic, commit.partition);
    try {
      await transaction.commit();
    } catch (err) {
      throw new UncertainCommitError(err);
    }
  } catch (err) {
    if (transaction.isActive()) await transaction.abort().catch(() => undefined);
    throw err;
  }
}
