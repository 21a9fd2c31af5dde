import type { Message } from 'kafkajs';
import { OwnershipLostError } from '../errors.ts';
import type { Logger } from '../log/logger.ts';
import type { RetryDecision, RetryPolicy } from '../retry/retry-policy.ts';
import { classifyDlqError, type DlqWriteFailure } from './classify-dlq-error.ts';
import {
  UncertainCommitError,
  writeDeadLetterTransaction,
  type DeadLetterCommit,
  type DeadLetterTransactionTarget,
} from './dead-letter-transaction.ts';
import type { DlqWritability } from './dlq-writability.ts';

export interface WriteRetryContext {
  readonly target: DeadLetterTransactionTarget;
  readonly retry: RetryPolicy;
  readonly writability: DlqWritability;
  /** The DLQ component's logger. */
  readonly log: Logger;
  /** A write failed (after kafkajs's own retries) and will be retried (metrics). */
  readonly onWriteFailed?: (failure: DlqWriteFailure) => void;
  readonly now: () => number;
}

/** The broker's answers meaning another producer took the transactional id over. */
const FENCED = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED']);

/**
 * Writes the chunks in one transaction (dead-letter-transaction.ts), a new one with a new
 * producer after each failure, under the shared retry policy, until the brokers take them:
 * nothing is dropped, the partition waits, and the failure shows in the log, the metrics
 * and /readyz (writability) meanwhile. Ends only when the pipeline is terminated (signal) or
 * ownership is lost — fenced by a producer of another owner counts as lost only once the
 * pipeline no longer owns its partition (a broker may expire a slow transaction of ours too).
 */
export async function writeUntilAcknowledged(
  chunks: readonly Message[][],
  commit: DeadLetterCommit,
  signal: AbortSignal,
  context: WriteRetryContext,
): Promise<void> {
  const { topic, partition } = commit;
  let uncertain = false;
  await context.retry.run(
    async () => {
      if (!commit.stillOwned()) throw new OwnershipLostError(topic, partition);
      try {
        await writeDeadLetterTransaction(context.target, chunks, commit, uncertain);
      } catch (err) {
        // A new producer for the next attempt: its initialisation aborts what this one left.
        await context.target.producers.discard(topic, partition);
        if (err instanceof OwnershipLostError) throw err;
        uncertain ||= err instanceof UncertainCommitError;
        // Another owner initialised this partition's transactional id: ours is over.
        if (FENCED.has(failureOf(err).error) && !commit.stillOwned())
          throw new OwnershipLostError(topic, partition, err);
        throw err;
      }
      if (context.writability.succeeded()) {
        context.log.info('dead-letter topic writable again; the waiting partitions resume');
      }
    },
    {
      signal,
      classify: classifyWriteError,
      onRetry: (err, attempt, delayMs) => reportRetry(failureOf(err), attempt, delayMs, context),
    },
  );
}

/** Only a lost partition ends the retrying: a DLQ that cannot take the letters is waited for. */
function classifyWriteError(err: unknown): RetryDecision {
  return err instanceof OwnershipLostError ? 'end' : 'retry';
}

function failureOf(err: unknown): DlqWriteFailure {
  return classifyDlqError(err instanceof UncertainCommitError ? err.cause : err);
}

function reportRetry(
  failure: DlqWriteFailure,
  attempt: number,
  delayMs: number,
  context: WriteRetryContext,
): void {
  const fields = { error: failure.error, message: failure.message, attempt, retryInMs: delayMs };
  if (FENCED.has(failure.error)) {
    // Still ours (the broker expired a slow transaction): not a DLQ that cannot be written.
    context.log.warn(fields, 'DLQ transaction fenced while still owning the partition; retrying');
    return;
  }
  context.onWriteFailed?.(failure);
  if (context.writability.failed(failure, context.now())) {
    context.log.error(
      fields,
      `cannot write to the dead-letter topic ${context.target.topic}: ${failure.error}; the partition waits and retries`,
    );
  } else {
    context.log.debug(fields, 'dead-letter write failed again; retrying');
  }
}
