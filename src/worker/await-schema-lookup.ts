import { setTimeout as sleep } from 'node:timers/promises';
import type { AvroSchemas } from '../decode/avro-schemas.ts';

/** Registry outages retry from this delay… */
const RETRY_INITIAL_MS = 500;
/** …doubling up to this one: an outage costs a request every 30 s per waiting partition. */
const RETRY_MAX_MS = 30_000;
/** While waiting, stop and rebalance are noticed within this long. */
const CHECK_EVERY_MS = 250;

export interface SchemaLookupWait {
  /** False once the partition must stop waiting (stop, rebalance, lane dropped). */
  readonly keepWaiting: () => boolean;
  /** Keeps the group membership alive while the partition waits (kafkajs eachBatch heartbeat). */
  readonly heartbeat: () => Promise<void>;
  /** The registry failed; the lookup is retried after `delayMs`. */
  readonly onRetry: (err: unknown, attempt: number, delayMs: number) => void;
}

/**
 * Looks schema `id` up until the registry answers. A registry that cannot answer (down,
 * 5xx, refusing our credentials) is the operator's to fix, not the message's fault: the
 * partition waits with capped backoff and nothing is dead-lettered or skipped. Resolves
 * true once the id is settled, false if told to stop waiting first.
 */
export async function awaitSchemaLookup(
  schemas: AvroSchemas,
  id: number,
  wait: SchemaLookupWait,
): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    try {
      await schemas.lookup(id);
      return true;
    } catch (err) {
      const delayMs = Math.min(RETRY_MAX_MS, RETRY_INITIAL_MS * 2 ** Math.min(attempt - 1, 16));
      wait.onRetry(err, attempt, delayMs);
      const until = Date.now() + delayMs;
      while (Date.now() < until) {
        if (!wait.keepWaiting()) return false;
        await wait.heartbeat();
        await sleep(Math.min(CHECK_EVERY_MS, until - Date.now()));
      }
      if (!wait.keepWaiting()) return false;
    }
  }
}
