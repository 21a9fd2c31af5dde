import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  judgeDeduplicationWindow,
  requiredDeduplicationWindow,
} from '../../../src/sink/deduplication-window.ts';

describe('deduplication window check', () => {
  test('partitions × blocks per insert × 2', () => {
    assert.equal(requiredDeduplicationWindow(12, 100), 2_400);
    assert.equal(requiredDeduplicationWindow(1, 1), 2);
  });

  test('0 is deduplication off; below the requirement is small; at or above is ok', () => {
    const cases: [number, number, string][] = [
      [0, 2, 'disabled'],
      [1, 2, 'small'],
      [2, 2, 'ok'],
      [1_000, 2_400, 'small'],
      [5_000, 2_400, 'ok'],
    ];
    for (const [blocks, required, verdict] of cases)
      assert.equal(judgeDeduplicationWindow(blocks, required), verdict, `${blocks}/${required}`);
  });
});
