import type { Message } from 'kafkajs';
import type { RejectedMessage } from '../batch/sealed-batch.ts';
import type { Logger } from '../log/logger.ts';
import type { RetryPolicy } from '../retry/retry-policy.ts';
import type { DlqWriteFailure } from './classify-dlq-error.ts';
import {
  buildDeadLetterRecord,
  DLQ_HEADERS,
  type DeadLetterRecord,
} from './dead-letter-headers.ts';
import { chunkBySize, fitDeadLetter, recordBatchBudget } from './dead-letter-size.ts';
import type { DeadLetterCommit, DeadLetterTransactionTarget } from './dead-letter-transaction.ts';
import { DlqWritability, type DlqWritabilityState } from './dlq-writability.ts';
import { KAFKA_DEFAULT_MAX_MESSAGE_BYTES } from './dlq-topic-limit.ts';
import { writeUntilAcknowledged, type WriteRetryContext } from './write-until-acknowledged.ts';

export interface DeadLetterPublisherOptions extends DeadLetterTransactionTarget {
  readonly workerId: string;
  /** A failing DLQ is retried under it, a new transaction each time (retry/retry-policy.ts). */
  readonly retry: RetryPolicy;
  readonly logger: Logger;
  /** Called once the brokers acknowledged these dead letters (metrics). */
  readonly onPublished?: (letters: readonly RejectedMessage[]) => void;
  /** A write failed (after kafkajs's own retries) and will be retried (metrics). */
  readonly onWriteFailed?: (failure: DlqWriteFailure) => void;
  readonly now?: () => number;
}

interface Letter {
  readonly rejected: RejectedMessage;
  readonly record: DeadLetterRecord;
}

/**
 * Writes one batch's dead letters to the DLQ topic in one Kafka transaction that also
 * commits the source partition's offset with metadata saying they were written, so that for
 * readers (read_committed) the letters and that mark appear together or not at all: a later
 * owner that finds the mark does not write them again (deliver/deliver-batch.ts), one that
 * does not find it writes them in a transaction of its own, the first one having been aborted
 * by its fencing. Letters go in order, in requests whose record batch fits the topic's
 * max.message.bytes (several per transaction if need be); one too large on its own is stored
 * truncated. A failing DLQ is retried with capped backoff (a new transaction each time) until
 * it takes the letters (or the pipeline is terminated): nothing is dropped, the partition waits, and
 * the failure shows in the log, the metrics and /readyz meanwhile.
 */
export class DeadLetterPublisher {
  readonly #options: DeadLetterPublisherOptions;
  readonly #log: Logger;
  readonly #writability: DlqWritability;
  readonly #retryContext: WriteRetryContext;
  #batchBudget = recordBatchBudget(KAFKA_DEFAULT_MAX_MESSAGE_BYTES);

  constructor(options: DeadLetterPublisherOptions) {
    this.#options = options;
    this.#log = options.logger.child({ component: 'dlq', topic: options.topic });
    this.#writability = new DlqWritability(options.topic);
    this.#retryContext = {
      target: options,
      retry: options.retry,
      writability: this.#writability,
      log: this.#log,
      ...(options.onWriteFailed === undefined ? {} : { onWriteFailed: options.onWriteFailed }),
      now: options.now ?? Date.now,
    };
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
    await writeUntilAcknowledged(chunks, commit, signal, this.#retryContext);
    this.#options.onPublished?.(rejected);
  }
}

function sourceKey({ source }: RejectedMessage): string {
  return `${source.topic}:${source.partition}:${source.offset}`;
}
