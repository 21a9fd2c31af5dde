import type { Consumer } from 'kafkajs';
import { OwnershipLostError } from '../errors.ts';
import type { RetryDecision, RetryPolicy } from '../retry/retry-policy.ts';
import { CommitConfirmations, type CommitEvents } from './commit-confirmations.ts';

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
  /** Checked right before each attempt: a pipeline terminated by a rebalance must not commit. */
  readonly stillOwned: () => boolean;
  readonly signal: AbortSignal;
}

export interface OffsetCommitterOptions {
  readonly consumer: Pick<Consumer, 'commitOffsets'> & CommitEvents;
  readonly retry: RetryPolicy;
  readonly onCommitted?: (durationMs: number) => void;
}

/**
 * Commits one partition's offset through the group coordinator. The coordinator checks
 * the member's generation, so a zombie's commit is refused; we also refuse to send one
 * for a pipeline a rebalance has terminated. Broker outages are retried until the pipeline is terminated.
 * A commit the consumer did not actually send (it is not running: stopping, or restarting
 * after a crash) means this generation is over too: nothing may be inserted on its strength.
 */
export class OffsetCommitter {
  readonly #options: OffsetCommitterOptions;
  readonly #confirmations: CommitConfirmations;

  constructor(options: OffsetCommitterOptions) {
    this.#options = options;
    this.#confirmations = new CommitConfirmations(options.consumer);
  }

  async commit(request: CommitRequest): Promise<void> {
    const { topic, partition } = request;
    await this.#options.retry.run(
      async () => {
        if (!request.stillOwned()) throw new OwnershipLostError(topic, partition);
        const started = performance.now();
        let sent: boolean;
        try {
          sent = await this.#confirmations.confirm(topic, partition, request.offset, () =>
            this.#options.consumer.commitOffsets([
              { topic, partition, offset: request.offset.toString(), metadata: request.metadata },
            ]),
          );
        } catch (err) {
          if (isGenerationError(err)) throw new OwnershipLostError(topic, partition, err);
          // kafkajs throws a TypeError from commitOffsets() once a crashed consumer's runner
          // is gone (until it restarts): the consumer is not running, as below.
          if (err instanceof TypeError)
            throw new OwnershipLostError(topic, partition, notRunning(err));
          throw err;
        }
        if (!sent) throw new OwnershipLostError(topic, partition, notRunning());
        this.#options.onCommitted?.(performance.now() - started);
      },
      { signal: request.signal, classify: classifyCommitError },
    );
  }
}

/** A lost generation is final; anything else (a broker outage) is retried. */
function classifyCommitError(err: unknown): RetryDecision {
  return err instanceof OwnershipLostError ? 'end' : 'retry';
}

function notRunning(cause?: unknown): Error {
  return new Error('the consumer is not running: the commit was not sent', { cause });
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
