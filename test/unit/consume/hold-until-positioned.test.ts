import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Consumer } from 'kafkajs';
import { holdUntilPositioned } from '../../../src/consume/hold-until-positioned.ts';
import type { StartPosition } from '../../../src/consume/start-position.ts';
import { RetryPolicy } from '../../../src/retry/retry-policy.ts';

const START: StartPosition = {
  offset: 5n,
  pending: undefined,
  namespace: undefined,
  reset: { reason: 'below_log_start', from: 5n, to: 9n, skipped: 4n },
};

function fakeConsumer() {
  const calls: string[] = [];
  const consumer = {
    pause: () => calls.push('pause'),
    resume: () => calls.push('resume'),
    seek: ({ offset }: { offset: string }) => calls.push(`seek ${offset}`),
  } as unknown as Pick<Consumer, 'pause' | 'resume' | 'seek'>;
  return { consumer, calls };
}

describe('holdUntilPositioned', () => {
  test('reading positions is retried under the policy until it answers, then seeks and resumes', async () => {
    const { consumer, calls } = fakeConsumer();
    let failures = 3;
    const retries: [number, number][] = [];
    await holdUntilPositioned(
      consumer,
      { events: [0] },
      {
        position: () =>
          failures-- > 0 ? Promise.reject(new Error('coordinator moved')) : Promise.resolve(START),
        isCurrent: () => true,
        onReset: () => undefined,
        onRetry: (_err, attempt, delayMs) => retries.push([attempt, delayMs]),
        retry: new RetryPolicy({ initialMs: 1, maxMs: 4 }),
      },
    );
    assert.deepEqual(
      retries.map(([attempt]) => attempt),
      [1, 2, 3],
    );
    assert.ok(retries.every(([, delayMs]) => delayMs >= 1 && delayMs <= 4));
    assert.deepEqual(calls, ['pause', 'seek 9', 'resume']);
  });

  test('a generation that ends during the backoff stops the hold without resuming', async () => {
    const { consumer, calls } = fakeConsumer();
    let current = true;
    await holdUntilPositioned(
      consumer,
      { events: [0] },
      {
        position: () => Promise.reject(new Error('coordinator moved')),
        isCurrent: () => current,
        onReset: () => undefined,
        // A rebalance during the (minute-long) wait: noticed within the polling step.
        onRetry: () => {
          current = false;
        },
        retry: new RetryPolicy({ initialMs: 60_000, maxMs: 60_000 }),
      },
    );
    assert.deepEqual(calls, ['pause']);
  });
});
