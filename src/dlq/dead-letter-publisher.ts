import type { CompressionTypes, Message, Producer } from 'kafkajs';
import { LRUCache } from 'lru-cache';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RejectedMessage } from '../batch/sealed-batch.ts';
import type { Logger } from '../observe/logger.ts';
import { classifyDlqError, type DlqWriteFailure } from './classify-dlq-error.ts';
import {
  buildDeadLetterRecord,
  DLQ_HEADERS,
  type DeadLetterRecord,
} from './dead-letter-headers.ts';
import { chunkBySize, fitDeadLetter, recordBatchBudget } from './dead-letter-size.ts';
import { DlqWritability, type DlqWritabilityState } from './dlq-writability.ts';
import { KAFKA_DEFAULT_MAX_MESSAGE_BYTES } from './dlq-topic-limit.ts';

export interface DeadLetterPublisherOptions {
  /** See createDeadLetterProducer: bounded retries, so a failing DLQ surfaces here. */
  readonly producer: Producer;
  readonly topic: string;
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

interface Letter {
  readonly rejected: RejectedMessage;
  readonly record: DeadLetterRecord;
}

/**
 * Writes dead letters to the DLQ topic and resolves only once the brokers acknowledged
 * them (acks=all): the batch's offsets are committed after that, never before. Letters go
 * in order, in requests whose record batch fits the topic's max.message.bytes; one too
 * large on its own is stored truncated. A failing DLQ is retried with capped backoff until
 * it takes the letters again (or the lane is dropped): nothing is dropped, the partition
 * waits, and the failure shows in the log, the metrics and /readyz meanwhile.
 */
export class DeadLetterPublisher {
  readonly #options: DeadLetterPublisherOptions;
  readonly #log: Logger;
  readonly #writability: DlqWritability;
  #batchBudget = recordBatchBudget(KAFKA_DEFAULT_MAX_MESSAGE_BYTES);
  /**
   * Source messages this process already dead-lettered. A rebalance that keeps a partition
   * here re-forms its pending range; its dead letters are not written twice. (After a crash
   * or a move to another worker a repeat is possible: replay dedupes by source headers.)
   */
  readonly #published = new LRUCache<string, true>({ max: 100_000 });

  constructor(options: DeadLetterPublisherOptions) {
    this.#options = options;
    this.#log = options.logger.child({ component: 'dlq', topic: options.topic });
    this.#writability = new DlqWritability(options.topic);
  }

  get writability(): DlqWritabilityState {
    return this.#writability.state;
  }

  /** Connects the producer; `maxMessageBytes` is the DLQ topic's limit (readTopicMessageLimit). */
  async connect(maxMessageBytes: number): Promise<void> {
    this.#batchBudget = recordBatchBudget(maxMessageBytes);
    await this.#options.producer.connect();
  }

  disconnect(): Promise<void> {
    return this.#options.producer.disconnect();
  }

  async publish(rejected: readonly RejectedMessage[], signal: AbortSignal): Promise<void> {
    const fresh = rejected.filter((r) => !this.#published.has(sourceKey(r)));
    if (fresh.length === 0) return;
    const now = new Date();
    const letters = fresh.map((r): Letter => {
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
    for (const chunk of chunkBySize(letters, (l) => l.record, this.#batchBudget)) {
      await this.#sendUntilAcknowledged(
        chunk.map((l): Message => l.record),
        signal,
      );
      const sent = chunk.map((l) => l.rejected);
      for (const r of sent) this.#published.set(sourceKey(r), true);
      this.#options.onPublished?.(sent);
    }
  }

  async #sendUntilAcknowledged(messages: Message[], signal: AbortSignal): Promise<void> {
    const { producer, topic, retryInitialMs, retryMaxMs, compression } = this.#options;
    const codec = compression === undefined ? {} : { compression };
    for (let attempt = 1; ; attempt++) {
      signal.throwIfAborted();
      try {
        await producer.send({ topic, acks: -1, ...codec, messages });
        if (this.#writability.succeeded()) {
          this.#log.info('dead-letter topic writable again; the waiting partitions resume');
        }
        return;
      } catch (err) {
        signal.throwIfAborted();
        const failure = classifyDlqError(err);
        this.#options.onWriteFailed?.(failure);
        const delayMs = Math.min(retryMaxMs, retryInitialMs * 2 ** Math.min(attempt - 1, 20));
        const fields = {
          error: failure.error,
          message: failure.message,
          attempt,
          retryInMs: delayMs,
        };
        if (this.#writability.failed(failure, (this.#options.now ?? Date.now)())) {
          this.#log.error(
            fields,
            `cannot write to the dead-letter topic ${topic}: ${failure.error}; the partition waits and retries`,
          );
        } else {
          this.#log.debug(fields, 'dead-letter write failed again; retrying');
        }
        // Jitter: the lanes waiting on the same DLQ do not retry in lockstep.
        await sleep(delayMs * (0.5 + Math.random() / 2), undefined, { signal });
      }
    }
  }
}

function sourceKey({ source }: RejectedMessage): string {
  return `${source.topic}:${source.partition}:${source.offset}`;
}
