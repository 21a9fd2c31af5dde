import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getHeapStatistics } from 'node:v8';
import { assertBudgetFitsHeap } from '../../../src/config/heap-room.ts';
import { ConfigError } from '../../../src/errors.ts';

const MiB = 1024 * 1024;

test('a buffer budget that does not fit twice in the heap cap stops start-up, naming the setting', () => {
  assert.doesNotThrow(() => assertBudgetFitsHeap(64 * MiB, 300 * MiB));
  assert.doesNotThrow(() => assertBudgetFitsHeap(150 * MiB, 300 * MiB));
  assert.throws(
    () => assertBudgetFitsHeap(256 * MiB, 300 * MiB),
    (err: unknown) =>
      err instanceof ConfigError &&
      err.problems.length === 1 &&
      /^INGEST_MAX_BUFFERED_BYTES: 256 MiB needs a V8 heap of at least 512 MiB, but this process may only grow its heap to 300 MiB/.test(
        err.problems[0] ?? '',
      ),
  );
});

test('by default it reads this process heap limit', () => {
  const limit = getHeapStatistics().heap_size_limit;
  assert.doesNotThrow(() => assertBudgetFitsHeap(Math.floor(limit / 2)));
  assert.throws(() => assertBudgetFitsHeap(limit), ConfigError);
});
