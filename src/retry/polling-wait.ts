import { setTimeout as sleep } from 'node:timers/promises';

export interface PollingWaitOptions {
  /** False once the work must stop (stop, rebalance, pipeline terminated): noticed within `everyMs`. */
  readonly keepWaiting: () => boolean;
  /** Called at each step while waiting (a partition's heartbeat keeps its membership alive). */
  readonly tick?: () => Promise<void>;
  readonly everyMs?: number;
}

const CHECK_EVERY_MS = 250;

/**
 * A `wait` for RetryPolicy.run when the work's lifetime is a question rather than an
 * AbortSignal: spends the delay in short steps and aborts `stop` (the run's signal) as soon
 * as `keepWaiting` turns false, so a long backoff never outlives the work it was for.
 */
export function pollingWait(
  stop: AbortController,
  options: PollingWaitOptions,
): (delayMs: number) => Promise<void> {
  const everyMs = options.everyMs ?? CHECK_EVERY_MS;
  return async (delayMs) => {
    const until = Date.now() + delayMs;
    while (Date.now() < until) {
      if (!options.keepWaiting()) break;
      await options.tick?.();
      await sleep(Math.min(everyMs, until - Date.now()));
    }
    if (!options.keepWaiting()) stop.abort();
  };
}
