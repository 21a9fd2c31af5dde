import type { AvroSchemas } from '../decode/avro-schemas.ts';
import { pollingWait } from '../retry/polling-wait.ts';
import { RetryPolicy } from '../retry/retry-policy.ts';

/**
 * Registry outages retry from about 500 ms, doubling up to 30 s: an outage costs a request
 * every 30 s per waiting partition. Its own bounds, not the insert ones: the registry is not
 * ClickHouse, and these were chosen for it.
 */
const REGISTRY_RETRY = new RetryPolicy({ initialMs: 500, maxMs: 30_000 });

export interface SchemaLookupWait {
  /** False once the partition must stop waiting (stop, rebalance, pipeline terminated). */
  readonly keepWaiting: () => boolean;
  /** Keeps the group membership alive while the partition waits (kafkajs eachBatch heartbeat). */
  readonly heartbeat: () => Promise<void>;
  /** The registry failed; the lookup is retried after `delayMs`. */
  readonly onRetry: (err: unknown, attempt: number, delayMs: number) => void;
}

/**
 * Looks schema `id` up until the registry answers. A registry that cannot answer (down,
 * 5xx, refusing our credentials) is the operator's to fix, not the message's fault: every
 * failure is retried with capped backoff, the partition waits (heartbeating) and nothing is
 * dead-lettered or skipped. Resolves true once the id is settled, false if told to stop
 * waiting first.
 */
export async function awaitSchemaLookup(
  schemas: AvroSchemas,
  id: number,
  wait: SchemaLookupWait,
  retry: RetryPolicy = REGISTRY_RETRY,
): Promise<boolean> {
  const stopped = new AbortController();
  try {
    await retry.run(() => schemas.lookup(id), {
      signal: stopped.signal,
      onRetry: wait.onRetry,
      wait: pollingWait(stopped, { keepWaiting: wait.keepWaiting, tick: wait.heartbeat }),
    });
    return true;
  } catch (err) {
    if (stopped.signal.aborted) return false;
    throw err;
  }
}
