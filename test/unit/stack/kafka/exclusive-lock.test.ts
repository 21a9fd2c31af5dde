import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { withExclusiveLock } from '../../../stack/kafka/exclusive-lock.ts';

void test('holders take turns and the lock file is gone afterwards', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'exclusive-lock-'));
  const lockFile = join(dir, 'resolve.lock');
  try {
    let inside = 0;
    let maxInside = 0;
    const work = async (): Promise<void> => {
      inside++;
      maxInside = Math.max(maxInside, inside);
      await sleep(30);
      inside--;
    };
    await Promise.all([1, 2, 3].map(() => withExclusiveLock(lockFile, work, 5)));
    assert.equal(maxInside, 1);
    await assert.rejects(access(lockFile), { code: 'ENOENT' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

void test('a lock left by a dead process is taken over', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'exclusive-lock-'));
  const lockFile = join(dir, 'resolve.lock');
  try {
    const dead = spawnSync(process.execPath, ['-e', '']).pid ?? 0; // exited: its pid is free
    await writeFile(lockFile, String(dead));
    assert.equal(await withExclusiveLock(lockFile, () => Promise.resolve('ran'), 5), 'ran');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
