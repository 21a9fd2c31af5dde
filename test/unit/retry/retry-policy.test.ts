import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RetryPolicy, type RetryRun } from '../../../src/retry/retry-policy.ts';

const fixed = (r: number) => () => r;

/** A policy whose waits are recorded and skipped: no assertion depends on wall time. */
function recorded() {
  const waits: number[] = [];
  const wait: RetryRun['wait'] = (delayMs) => {
    waits.push(delayMs);
    return Promise.resolve();
  };
  return { waits, wait };
}

/** An attempt that fails `times` times with the errors given (cycling), then returns 'done'. */
function failing(times: number, errors: readonly Error[] = [new Error('down')]) {
  let calls = 0;
  const attempts: number[] = [];
  const attempt = (n: number): Promise<string> => {
    attempts.push(n);
    calls++;
    if (calls <= times)
      return Promise.reject(errors[(calls - 1) % errors.length] ?? new Error('down'));
    return Promise.resolve('done');
  };
  return { attempt, attempts };
}

describe('RetryPolicy delays', () => {
  test('grow by doubling from the initial delay and stop at the cap', () => {
    const top = new RetryPolicy({ initialMs: 100, maxMs: 1_000 }, fixed(0.999_999));
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 40].map((n) => top.delayMs(n)),
      [200, 400, 800, 1_000, 1_000, 1_000, 1_000],
    );
    const bottom = new RetryPolicy({ initialMs: 100, maxMs: 1_000 }, fixed(0));
    assert.deepEqual(
      [1, 2, 3, 4, 5, 40].map((n) => bottom.delayMs(n)),
      [100, 200, 400, 500, 500, 500],
    );
  });

  test('jitter stays within half to all of the doubled delay, the cap included', () => {
    const policy = new RetryPolicy({ initialMs: 500, maxMs: 30_000 });
    for (let attempt = 1; attempt <= 12; attempt++) {
      const ceiling = Math.min(30_000, 500 * 2 ** attempt);
      for (let i = 0; i < 200; i++) {
        const delay = policy.delayMs(attempt);
        assert.ok(delay >= ceiling / 2 && delay <= ceiling, `${delay} for attempt ${attempt}`);
      }
    }
    const draws = new Set(Array.from({ length: 50 }, () => policy.delayMs(20)));
    assert.ok(draws.size > 1, 'delays at the cap are jittered too');
  });

  test('the configuration gives the bounds; impossible bounds are refused', () => {
    const policy = RetryPolicy.fromConfig({ retryInitialMs: 200, retryMaxMs: 2_000 });
    assert.deepEqual(policy.bounds, { initialMs: 200, maxMs: 2_000 });
    assert.throws(() => new RetryPolicy({ initialMs: 0, maxMs: 10 }), RangeError);
    assert.throws(() => new RetryPolicy({ initialMs: 20, maxMs: 10 }), RangeError);
  });
});

describe('RetryPolicy.run', () => {
  test('retries until the attempt succeeds; onRetry sees each attempt and its delay', async () => {
    const policy = new RetryPolicy({ initialMs: 10, maxMs: 50 }, fixed(0.5));
    const { waits, wait } = recorded();
    const { attempt, attempts } = failing(5);
    const seen: { attempt: number; delayMs: number; message: string }[] = [];
    const result = await policy.run(attempt, {
      signal: new AbortController().signal,
      wait,
      onRetry: (err, n, delayMs) =>
        seen.push({ attempt: n, delayMs, message: (err as Error).message }),
    });
    assert.equal(result, 'done');
    assert.deepEqual(attempts, [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(
      seen.map((s) => [s.attempt, s.delayMs]),
      [
        [1, 15],
        [2, 30],
        [3, 38],
        [4, 38],
        [5, 38],
      ],
    );
    assert.ok(seen.every((s) => s.message === 'down'));
    assert.deepEqual(
      waits,
      seen.map((s) => s.delayMs),
      'waits what it reported',
    );
  });

  test('a failure the caller classifies as final ends it at once with that error', async () => {
    const policy = new RetryPolicy({ initialMs: 10, maxMs: 50 });
    const { waits, wait } = recorded();
    const final = new Error('bad data');
    const { attempt, attempts } = failing(10, [new Error('down'), final]);
    const retried: number[] = [];
    await assert.rejects(
      policy.run(attempt, {
        signal: new AbortController().signal,
        wait,
        classify: (err) => (err === final ? 'end' : 'retry'),
        onRetry: (_err, n) => retried.push(n),
      }),
      (err) => err === final,
    );
    assert.deepEqual(attempts, [1, 2]);
    assert.deepEqual(retried, [1], 'onRetry only for failures that are retried');
    assert.equal(waits.length, 1);
  });

  test('an aborted signal stops it: during the wait, after a failure, before the first attempt', async () => {
    const policy = new RetryPolicy({ initialMs: 60_000, maxMs: 60_000 });
    const controller = new AbortController();
    const reason = new Error('lane dropped');
    const { attempt, attempts } = failing(Number.POSITIVE_INFINITY);
    // The default wait is a real timer of about a minute: only the abort can end it.
    const running = policy.run(attempt, {
      signal: controller.signal,
      onRetry: () => setImmediate(() => controller.abort(reason)),
    });
    await assert.rejects(running, (err) => err === reason);
    assert.deepEqual(attempts, [1]);

    const { attempt: never, attempts: none } = failing(0);
    await assert.rejects(policy.run(never, { signal: controller.signal }), (err) => err === reason);
    assert.deepEqual(none, []);

    const late = new AbortController();
    const failsOnceAborted = (): Promise<string> => {
      late.abort(reason);
      return Promise.reject(new Error('cut short'));
    };
    let reported = 0;
    await assert.rejects(
      policy.run(failsOnceAborted, { signal: late.signal, onRetry: () => reported++ }),
      (err) => err === reason,
    );
    assert.equal(reported, 0, 'a failure after the abort is not reported as a retry');
  });

  test('abort wins over an attempt that succeeded after it: the caller no longer owns the work', async () => {
    const policy = new RetryPolicy({ initialMs: 1, maxMs: 1 });
    const controller = new AbortController();
    const reason = new Error('lane dropped');
    await assert.rejects(
      policy.run(
        () => {
          controller.abort(reason);
          return Promise.resolve('done');
        },
        { signal: controller.signal },
      ),
      (err) => err === reason,
    );
  });

  test('never gives up on its own: hundreds of failures are retried', async () => {
    const policy = new RetryPolicy({ initialMs: 1, maxMs: 5 });
    const { wait } = recorded();
    const { attempt, attempts } = failing(500);
    assert.equal(await policy.run(attempt, { signal: new AbortController().signal, wait }), 'done');
    assert.equal(attempts.length, 501);
  });
});
