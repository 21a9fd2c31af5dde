import type { Producer } from 'kafkajs';
import pRetry from 'p-retry';
import type { RejectedMessage } from '../batch/sealed-batch.ts';
import { buildDeadLetterRecord } from './dead-letter-headers.ts';

export interface DeadLetterPublisherOptions {
  readonly producer: Producer;
  readonly topic: string;
  readonly workerId: string;
  readonly retryInitialMs: number;
  readonly retryMaxMs: number;
}

/**
 * Writes dead letters to the DLQ topic and resolves only once the brokers acknowledged
 * them (acks=all): the batch's offsets are committed after that, never before.
 */
export class DeadLetterPublisher {
  readonly #options: DeadLetterPublisherOptions;

  constructor(options: DeadLetterPublisherOptions) {
    this.#options = options;
  }

  async publish(rejected: readonly RejectedMessage[], signal: AbortSignal): Promise<void> {
    if (rejected.length === 0) return;
    const now = new Date();
    const messages = rejected.map((r) => buildDeadLetterRecord(r, this.#options.workerId, now));
    await pRetry(
      () => this.#options.producer.send({ topic: this.#options.topic, acks: -1, messages }),
      {
        retries: Number.POSITIVE_INFINITY,
        minTimeout: this.#options.retryInitialMs,
        maxTimeout: this.#options.retryMaxMs,
        randomize: true,
        signal,
      },
    );
  }
}
