import type { Consumer } from 'kafkajs';
import pRetry, { AbortError } from 'p-retry';
import { OwnershipLostError } from '../errors.ts';

/** kafkajs error types meaning this member's generation is over: never retry those. */
const GENERATION_ERRORS = new Set([
  'REBALANCE_IN_PROGRESS',
  'ILLEGAL_GENERATION',
  'UNKNOWN_MEMBER_ID',
  'FENCED_INSTANCE_ID',
  'STALE_MEMBER_EPOCH',
]);

export interface CommitRequest {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly metadata: string | null;
  /** Checked right before each attempt: a lane dropped by a rebalance must not commit. */
  readonly stillOwned: () => boolean;
  readonly signal: AbortSignal;
}

export interface OffsetCommitterOptions {
  readonly consumer: Pick<Consumer, 'commitOffsets'>;
  readonly retryInitialMs: number;
  readonly retryMaxMs: number;
  readonly onCommitted?: (durationMs: number) => void;
}

/**
 * Commits one partition's offset through the group coordinator. The coordinator checks
 * the member's generation, so a zombie's commit is refused; we also refuse to send one
 * for a lane a rebalance has dropped. Broker outages are retried until the lane is dropped.
 */
export class OffsetCommitter {
  readonly #options: OffsetCommitterOptions;

  constructor(options: OffsetCommitterOptions) {
    this.#options = options;
  }

  async commit(request: CommitRequest): Promise<void> {
    const { topic, partition } = request;
    await pRetry(
      async () => {
        if (!request.stillOwned()) throw new AbortError(new OwnershipLostError(topic, partition));
        const started = performance.now();
        try {
          await this.#options.consumer.commitOffsets([
            { topic, partition, offset: request.offset.toString(), metadata: request.metadata },
          ]);
        } catch (err) {
          if (isGenerationError(err))
            throw new AbortError(new OwnershipLostError(topic, partition, err));
          throw err;
        }
        this.#options.onCommitted?.(performance.now() - started);
      },
      {
        retries: Number.POSITIVE_INFINITY,
        minTimeout: this.#options.retryInitialMs,
        maxTimeout: this.#options.retryMaxMs,
        randomize: true,
        signal: request.signal,
      },
    );
  }
}

export function isGenerationError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    const type = (e as { type?: unknown }).type;
    if (typeof type === 'string' && GENERATION_ERRORS.has(type)) return true;
    const next =
      (e as { originalError?: unknown; cause?: unknown }).originalError ??
      (e as { cause?: unknown }).cause;
    e = next;
  }
  return false;
}
