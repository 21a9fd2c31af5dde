import type { CompressionTypes, Producer } from 'kafkajs';
import { LRUCache } from 'lru-cache';
import pRetry from 'p-retry';
import type { RejectedMessage } from '../batch/sealed-batch.ts';
import { buildDeadLetterRecord } from './dead-letter-headers.ts';

export interface DeadLetterPublisherOptions {
  readonly producer: Producer;
  readonly topic: string;
  readonly workerId: string;
  readonly retryInitialMs: number;
  readonly retryMaxMs: number;
  /** Codec of the produced batches (KAFKA_DLQ_COMPRESSION); none by default. */
  readonly compression?: CompressionTypes;
  /** Called once the brokers acknowledged these dead letters (metrics). */
  readonly onPublished?: (letters: readonly RejectedMessage[]) => void;
}

/**
 * Writes dead letters to the DLQ topic and resolves only once the brokers acknowledged
 * them (acks=all): the batch's offsets are committed after that, never before.
 */
export class DeadLetterPublisher {
  readonly #options: DeadLetterPublisherOptions;
  /**
   * Source messages this process already dead-lettered. A rebalance that keeps a partition
   * here re-forms its pending range; its dead letters are not written twice. (After a crash
   * or a move to another worker a repeat is possible: replay dedupes by source headers.)
   */
  readonly #published = new LRUCache<string, true>({ max: 100_000 });

  constructor(options: DeadLetterPublisherOptions) {
    this.#options = options;
  }

  async publish(rejected: readonly RejectedMessage[], signal: AbortSignal): Promise<void> {
    const fresh = rejected.filter((r) => !this.#published.has(sourceKey(r)));
    if (fresh.length === 0) return;
    const now = new Date();
    const messages = fresh.map((r) => buildDeadLetterRecord(r, this.#options.workerId, now));
    const { producer, topic, compression } = this.#options;
    const codec = compression === undefined ? {} : { compression };
    await pRetry(() => producer.send({ topic, acks: -1, ...codec, messages }), {
      retries: Number.POSITIVE_INFINITY,
      minTimeout: this.#options.retryInitialMs,
      maxTimeout: this.#options.retryMaxMs,
      randomize: true,
      signal,
    });
    for (const r of fresh) this.#published.set(sourceKey(r), true);
    this.#options.onPublished?.(fresh);
  }
}

function sourceKey({ source }: RejectedMessage): string {
  return `${source.topic}:${source.partition}:${source.offset}`;
}
