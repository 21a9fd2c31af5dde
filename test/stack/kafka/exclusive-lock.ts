import { randomBytes } from 'node:crypto';
import { link, readFile, unlink, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Runs `work` while holding lockFile, a file holding the owner's pid.
 * A lock whose owner is no longer alive is taken over, so a killed holder
 * never blocks anyone. Callers must stay correct without the lock (two
 * processes can both take over the same dead lock): it only saves duplicate
 * work, here several Maven runs on a cold cache.
 */
export async function withExclusiveLock<T>(
  lockFile: string,
  work: () => Promise<T>,
  pollMs = 200,
): Promise<T> {
  // link() publishes a complete file or fails with EEXIST: nobody ever reads an empty lock.
  const candidate = `${lockFile}.${process.pid}-${randomBytes(4).toString('hex')}`;
  await writeFile(candidate, String(process.pid));
  try {
    for (;;) {
      try {
        await link(candidate, lockFile);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const owner = Number(await readFile(lockFile, 'utf8').catch(() => 'gone'));
      if (Number.isInteger(owner) && !isAlive(owner)) await unlink(lockFile).catch(() => undefined);
      else await sleep(pollMs);
    }
  } finally {
    await unlink(candidate).catch(() => undefined);
  }
  try {
    return await work();
  } finally {
    await unlink(lockFile).catch(() => undefined);
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
