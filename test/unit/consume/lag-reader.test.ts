import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { partitionLag } from '../../../src/consume/lag-reader.ts';

const lagOf = (
  logStart: bigint,
  logEnd: bigint,
  committed: bigint | undefined,
  fromBeginning = true,
): bigint => partitionLag('t', 0, { logStart, logEnd, committed }, fromBeginning).lag;

describe('partition lag from broker offsets', () => {
  test('log end minus the committed offset', () => {
    assert.equal(lagOf(0n, 1_000n, 400n), 600n);
    assert.equal(lagOf(0n, 1_000n, 1_000n), 0n);
  });

  test('never committed: the whole retained log, or nothing for a group starting at the end', () => {
    assert.equal(lagOf(200n, 1_000n, undefined, true), 800n);
    assert.equal(lagOf(200n, 1_000n, undefined, false), 0n);
  });

  test('a committed offset retention deleted counts from the log start, where consumption resumes', () => {
    assert.equal(lagOf(5_000n, 6_000n, 1_000n), 1_000n);
  });

  test('never negative', () => {
    assert.equal(lagOf(0n, 10n, 12n), 0n);
  });

  test('offsets beyond 2^53 stay exact', () => {
    const end = 2n ** 60n + 7n;
    assert.equal(lagOf(0n, end, end - 3n), 3n);
  });
});
