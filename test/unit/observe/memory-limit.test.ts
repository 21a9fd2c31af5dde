import assert from 'node:assert/strict';
import { totalmem } from 'node:os';
import { test } from 'node:test';
import { memoryLimitBytes } from '../../../src/observe/memory-limit.ts';

const files =
  (entries: Record<string, string>) =>
  (path: string): string | undefined =>
    entries[path];

test('the cgroup v2 limit when set, else v1, else the machine total', () => {
  const gib = 1024 ** 3;
  const small = Math.min(gib, totalmem());
  assert.equal(memoryLimitBytes(files({ '/sys/fs/cgroup/memory.max': String(small) })), small);
  assert.equal(memoryLimitBytes(files({ '/sys/fs/cgroup/memory.max': 'max' })), totalmem());
  assert.equal(
    memoryLimitBytes(files({ '/sys/fs/cgroup/memory/memory.limit_in_bytes': String(small) })),
    small,
  );
  // cgroup v1 writes "unlimited" as a number near 2^63.
  assert.equal(
    memoryLimitBytes(
      files({ '/sys/fs/cgroup/memory/memory.limit_in_bytes': '9223372036854771712' }),
    ),
    totalmem(),
  );
  assert.equal(memoryLimitBytes(files({})), totalmem());
});
