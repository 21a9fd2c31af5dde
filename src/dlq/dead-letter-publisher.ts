import type { CompressionTypes, Message } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RejectedMessage } from '../batch/sealed-batch.ts';
import { IngestError, OwnershipLostError } from '../errors.ts';
import type { Logger } from '../observe/logger.ts';
import { classifyDlqError, type DlqWriteFailure } from './classify-dlq-error.ts';
import {
  buildDeadLetterRecord,
  DLQ_HEADERS,
  type DeadLetterRecord,
} from './dead-letter-headers.ts';
import type { DeadLetterProducers } from './dead-letter-producers.ts';
import { chunkBySize, fitDeadLetter, recordBatchBudget } from './dead-letter-size.ts';
import { DlqWritability, type DlqWritabilityState } from './dlq-writability.ts';
import { KAFKA_DEFAULT_MAX_MESSAGE_BYTES } from './dlq-topic-limit.ts';

export interface DeadLetterPublisherOptions {
  /** One transactional producer per source partition (dead-letter-producers.ts). */
  readonly producers: DeadLetterProducers;
  readonly topic: string;
  /** The consumer group whose offset each transaction commits. */
  readonly groupId: string;
  readonly workerId: string;
  readonly retryInitialMs: number;
  readonly retryMaxMs: number;
  readonly logger: Logger;
  /** Codec of the produced batches (KAFKA_DLQ_COMPRESSION); none by default. */
  readonly compression?: CompressionTypes;
  /** Called once the brokers acknowledged these dead letters (metrics). */
  readonly onPublished?: (letters: readonly RejectedMessage[]) => void;
  /** A write failed (after kafkajs's own retries) and will be retried (metrics). */
  readonly onWriteFailed?: (failure: DlqWriteFailure) => void;
  readonly now?: () => number;
}

/** The source partition's offset committed with its dead letters, in the same transaction. */
export interface DeadLetterCommit {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  /** The pending range's metadata marked `dlq=done` (commit/pending-range.ts). */
  readonly metadata: string | null;
  /** Checked before each attempt and before committing: a dropped lane must not commit. */
  readonly stillOwned: () => boolean;
  /**
   * Proves to the group coordinator that this member still owns the partition, and leaves
   * the range marked `dlq=due` (a generation-checked offset commit). Called in every attempt
   * after the producer's epoch was allocated and before anything is sent: see #transact.
   */
  readonly claim: () => Promise<void>;
  /**
   * Whether the committed position says this range's dead letters were written
   * (`dlq=done`): asked after a commit whose outcome is unknown, once a new producer's
   * initialisation made that transaction final.
   */
  readonly written: () => Promise<boolean>;
}

/** `commit()` failed: the broker may or may not have committed the transaction. */
class UncertainCommitError extends IngestError {
  constructor(cause: unknown) {
    super('DLQ transaction commit failed; its outcome is unknown', { retriable: true, cause });
  }
}

interface Letter {
  readonly rejected: RejectedMessage;
  readonly record: DeadLetterRecord;
}

/** The broker's answers meaning another producer took the transactional id over. */
const FENCED = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED']);

/**
 * Writes one batch's dead letters to the DLQ topic in one Kafka transaction that also
 * commits the source partition's offset with metadata saying they were written, so that for
 * readers (read_committed) the letters and that mark appear together or not at all: a later
 * owner that finds the mark does not write them again (worker/deliver-batch.ts), one that
 * does not find it writes them in a transaction of its own, the first one having been aborted
 * by its fencing. Letters go in order, in requests whose record batch fits the topic's
 * max.message.bytes (several per transaction if need be); one too large on its own is stored
 * truncated. A failing DLQ is retried with capped backoff (a new transaction each time) until
 * it takes the letters (or the lane is dropped): nothing is dropped, the partition waits, and
 * the failure shows in the log, the metrics and /readyz meanwhile.
 */
export class DeadLetterPublisher {
  readonly #options: DeadLetterPublisherOptions;
  readonly #log: Logger;
  readonly #writability: DlqWritability;
  #batchBudget = recordBatchBudget(KAFKA_DEFAULT_MAX_MESSAGE_BYTES);

  constructor(options: DeadLetterPublisherOptions) {
    this.#options = options;
    this.#log = options.logger.child({ component: 'dlq', topic: options.topic });
    this.#writability = new DlqWritability(options.topic);
  }

  get writability(): DlqWritabilityState {
    return this.#writability.state;
  }

  /** `maxMessageBytes` is the DLQ topic's limit (readTopicMessageLimit). */
  useMessageLimit(maxMessageBytes: number): void {
    this.#batchBudget = recordBatchBudget(maxMessageBytes);
  }

  /** Closes every partition's producer (the worker stops). */
  close(): Promise<void> {
    return this.#options.producers.closeAll();
  }

  async publish(
    rejected: readonly RejectedMessage[],
    commit: DeadLetterCommit,
    signal: AbortSignal,
  ): Promise<void> {
    if (rejected.length === 0) return;
    const now = new Date();
    const letters = rejected.map((r): Letter => {
      const built = buildDeadLetterRecord(r, this.#options.workerId, now);
      const record = fitDeadLetter(built, this.#batchBudget);
      if (record !== built) {
        this.#log.warn(
          {
            source: sourceKey(r),
            originalBytes: built.value?.length ?? 0,
            storedBytes: record.value?.length ?? 0,
          },
          `dead letter larger than the DLQ topic takes: stored truncated (${DLQ_HEADERS.truncated})`,
        );
      }
      return { rejected: r, record };
    });
    const chunks = chunkBySize(letters, (l) => l.record, this.#batchBudget).map((chunk) =>
      chunk.map((l): Message => l.record),
    );
    await this.#commitUntilAcknowledged(chunks, commit, signal);
    this.#options.onPublished?.(rejected);
  }

  async #commitUntilAcknowledged(
    chunks: readonly Message[][],
    commit: DeadLetterCommit,
    signal: AbortSignal,
  ): Promise<void> {
    const { producers, retryInitialMs, retryMaxMs } = this.#options;
    const { topic, partition } = commit;
    let uncertain = false;
    for (let attempt = 1; ; attempt++) {
      signal.throwIfAborted();
      if (!commit.stillOwned()) throw new OwnershipLostError(topic, partition);
      try {
        await this.#transact(chunks, commit, uncertain);
        if (this.#writability.succeeded()) {
          this.#log.info('dead-letter topic writable again; the waiting partitions resume');
        }
        return;
      } catch (err) {
        // A new producer for the next attempt: its initialisation aborts what this one left.
        await producers.discard(topic, partition);
        if (err instanceof OwnershipLostError) throw err;
        signal.throwIfAborted();
        uncertain ||= err instanceof UncertainCommitError;
        const failure = classifyDlqError(err instanceof UncertainCommitError ? err.cause : err);
        const delayMs = Math.min(retryMaxMs, retryInitialMs * 2 ** Math.min(attempt - 1, 20));
        const fields = {
          error: failure.error,
          message: failure.message,
          attempt,
          retryInMs: delayMs,
        };
        if (FENCED.has(failure.error)) {
          // Another owner initialised this partition's transactional id: ours is over.
          if (!commit.stillOwned()) throw new OwnershipLostError(topic, partition, err);
          // Still ours (the broker expired a slow transaction): not a DLQ that cannot be written.
          this.#log.warn(
            fields,
            'DLQ transaction fenced while still owning the partition; retrying',
          );
        } else if (this.#note(failure)) {
          this.#log.error(
            fields,
            `cannot write to the dead-letter topic ${this.#options.topic}: ${failure.error}; the partition waits and retries`,
          );
        } else {
          this.#log.debug(fields, 'dead-letter write failed again; retrying');
        }
        // Jitter: the lanes waiting on the same DLQ do not retry in lockstep.
        await sleep(delayMs * (0.5 + Math.random() / 2), undefined, { signal });
      }
    }
  }

  /** Counts a failed write; true when the DLQ just turned unwritable (or the error changed). */
  #note(failure: DlqWriteFailure): boolean {
    this.#options.onWriteFailed?.(failure);
    return this.#writability.failed(failure, (this.#options.now ?? Date.now)());
  }

  /** One transaction: every chunk (a produce request each), the offset with its mark, commit. */
  async #transact(
    chunks: readonly Message[][],
    commit: DeadLetterCommit,
    afterUncertainCommit: boolean,
  ): Promise<void> {
    const { producers, topic, groupId, compression } = this.#options;
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
      // (lane-registry.ts) — a zombie's transaction can then never commit.
      // A commit failed earlier may have gone through: initialising this producer made it
      // final; if it committed, the letters are in and the range says so. Checked before the
      // claim, which would overwrite that mark.
      if (afterUncertainCommit && (await commit.written())) {
        await transaction.abort();
        return;
      }
      await commit.claim();
      for (const messages of chunks)
        await transaction.send({ topic, acks: -1, ...codec, messages });
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
}

function sourceKey({ source }: RejectedMessage): string {
  return `${source.topic}:${source.partition}:${source.offset}`;
}
