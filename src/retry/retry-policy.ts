import { setTimeout as sleep } from 'node:timers/promises';
import type { InsertConfig } from '../config/schema.ts';

/** The first retry waits about `initialMs`; each one after about twice as long, up to `maxMs`. */
export interface RetryBounds {
  readonly initialMs: number;
  readonly maxMs: number;
}

/**
 * A caller's reading of one failure: `retry` tries the same work again after the policy's
 * delay; `end` stops at once and throws that error (bad data to split, ownership lost).
 */
export type RetryDecision = 'retry' | 'end';

export interface RetryRun {
  /**
   * The work's lifetime (pipeline terminated, worker stopping): once aborted, nothing more is
   * attempted and its reason is thrown — even after an attempt that succeeded, so a caller
   * never acts on work it no longer owns. Work whose lifetime is a question aborts its own
   * controller from its `wait` (polling-wait.ts).
   */
  readonly signal: AbortSignal;
  /** Which failures are retried as they are; every one by default (outages are retried). */
  readonly classify?: ((err: unknown) => RetryDecision) | undefined;
  /** A failure that will be retried after `delayMs` (metrics, logs, pausing). */
  readonly onRetry?: ((err: unknown, attempt: number, delayMs: number) => void) | undefined;
  /** How the delay is spent; an abortable timer by default (a partition may heartbeat instead). */
  readonly wait?: (delayMs: number, signal: AbortSignal) => Promise<void>;
}

/** Doubling stops adding anything long before this (and 2 ** 31 × 1 ms exceeds any timer). */
const MAX_DOUBLINGS = 30;

/**
 * The one retry policy for work that must not be skipped — inserts, offset commits, dead
 * letters, registry lookups, reading start positions: capped exponential backoff with jitter,
 * retried until the work's signal aborts or the caller's classification ends it. Never "N
 * times, then drop": an outage makes the partition wait, it never loses data. Built once
 * from the configuration; each caller only says which of its errors end the retrying (as a
 * Vector sink's RetryLogic classifies its own errors under one shared policy).
 */
export class RetryPolicy {
  readonly bounds: RetryBounds;
  readonly #random: () => number;

  constructor(bounds: RetryBounds, random: () => number = Math.random) {
    if (!(bounds.initialMs > 0) || bounds.maxMs < bounds.initialMs) {
      throw new RangeError(`invalid retry bounds ${bounds.initialMs}–${bounds.maxMs} ms`);
    }
    this.bounds = Object.freeze({ ...bounds });
    this.#random = random;
  }

  /** INSERT_RETRY_INITIAL_MS / INSERT_RETRY_MAX_MS: the policy of inserts, commits and the DLQ. */
  static fromConfig(insert: Pick<InsertConfig, 'retryInitialMs' | 'retryMaxMs'>): RetryPolicy {
    return new RetryPolicy({ initialMs: insert.retryInitialMs, maxMs: insert.retryMaxMs });
  }

  /**
   * The wait before retry `attempt` (1 = after the first failure): half to all of
   * min(maxMs, initialMs × 2^attempt), so retry n waits initialMs × 2^(n−1) to twice that
   * until the cap, then maxMs/2 to maxMs. Jitter keeps the partitions that failed together
   * from retrying in lockstep, at the cap too.
   */
  delayMs(attempt: number): number {
    const { initialMs, maxMs } = this.bounds;
    const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(Math.max(attempt, 1), MAX_DOUBLINGS));
    return Math.round(ceiling * (0.5 + this.#random() / 2));
  }

  /**
   * Runs `attempt` (given its number, from 1) until it succeeds; a failure is retried after
   * `delayMs(n)` unless `classify` ends it (that error is thrown) or the signal aborts (its
   * reason is thrown).
   */
  async run<T>(attempt: (attemptNumber: number) => Promise<T>, run: RetryRun): Promise<T> {
    const { signal, classify, onRetry, wait = waitFor } = run;
    for (let n = 1; ; n++) {
      signal.throwIfAborted();
      let result: T;
      try {
        result = await attempt(n);
      } catch (err) {
        signal.throwIfAborted();
        if (classify?.(err) === 'end') throw err;
        const delayMs = this.delayMs(n);
        onRetry?.(err, n, delayMs);
        await wait(delayMs, signal);
        continue;
      }
      signal.throwIfAborted();
      return result;
    }
  }
}

/** Rejects with the signal's own reason (as an attempt cut short does), not the timer's. */
async function waitFor(delayMs: number, signal: AbortSignal): Promise<void> {
  try {
    await sleep(delayMs, undefined, { signal });
  } catch (err) {
    signal.throwIfAborted();
    throw err;
  }
}
