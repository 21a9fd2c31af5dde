import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isCompleteJarCache, writeJarCacheMarker } from '../../../stack/kafka/jar-cache-marker.ts';

const expected = { version: '4.3.1', pomSha256: 'abc' };

void test('a lib directory is trusted only with a matching marker and every listed jar', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'jar-cache-marker-'));
  try {
    await writeFile(join(dir, 'a.jar'), 'jar');
    assert.equal(
      await isCompleteJarCache(dir, expected),
      false,
      'no marker yet (Maven still running)',
    );

    await writeJarCacheMarker(dir, { ...expected, jars: ['a.jar', 'b.jar'] });
    assert.equal(await isCompleteJarCache(dir, expected), false, 'b.jar is missing');

    await writeFile(join(dir, 'b.jar'), 'jar');
    assert.equal(await isCompleteJarCache(dir, expected), true);
    assert.equal(
      await isCompleteJarCache(dir, { ...expected, pomSha256: 'changed' }),
      false,
      'pom changed',
    );
    assert.equal(
      await isCompleteJarCache(dir, { ...expected, version: '4.4.0' }),
      false,
      'other version',
    );

    await writeFile(join(dir, 'jars.json'), '{ truncated');
    assert.equal(await isCompleteJarCache(dir, expected), false, 'unreadable marker');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
