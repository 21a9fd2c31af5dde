import { errorMessage } from '../errors.ts';
import type { Logger } from './logger.ts';

/** Logs a failing dependency once when it starts failing and once when it recovers. */
export function transitionLogger(
  log: Logger,
  what: string,
): { failed(err: unknown): void; ok(): void } {
  let failing = false;
  return {
    failed(err) {
      if (failing) return;
      failing = true;
      log.warn({ err: errorMessage(err) }, `${what} failed; retrying`);
    },
    ok() {
      if (!failing) return;
      failing = false;
      log.info(`${what} works again`);
    },
  };
}
