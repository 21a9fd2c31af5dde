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

  test('0 is off; below partitions × 2 small; below the worst case steady; at or above ok', () => {
    const cases: [number, number, number, string][] = [
      [0, 2, 1, 'disabled'],
      [1, 2, 1, 'small'],
      [2, 2, 1, 'ok'],
      [20, 2_400, 12, 'small'],
      [1_000, 2_400, 12, 'steady'],
      [5_000, 2_400, 12, 'ok'],
    ];
    for (const [blocks, required, partitions, verdict] of cases)
      assert.equal(
        judgeDeduplicationWindow(blocks, required, partitions),
        verdict,
        `${blocks}/${required}/${partitions}`,
      );
  });
});
