import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LandingTracker, percentile } from '../../../../test/bench/measure/landing-tracker.ts';

describe('LandingTracker', () => {
  test('each row counts once, with the time of the first poll that returned it', () => {
    const t = new LandingTracker();
    assert.equal(
      t.pendingCondition(2),
      '(_partition = 0 AND _offset >= 0) OR (_partition = 1 AND _offset >= 0)',
    );
    t.observe(
      [
        { partition: 0, offset: 0, producedMs: 1000 },
        { partition: 0, offset: 1, producedMs: 1100 },
      ],
      1500,
    );
    assert.match(t.pendingCondition(2), /_partition = 0 AND _offset >= 2/);
    // offset 3 lands before 2 (out of order): seen now, the cursor waits at 2.
    assert.equal(t.observe([{ partition: 0, offset: 3, producedMs: 1300 }], 2000), 1);
    assert.match(t.pendingCondition(1), /_offset >= 2/);
    // The next poll returns 3 again (it is past the cursor) and 2: only 2 is new.
    assert.equal(
      t.observe(
        [
          { partition: 0, offset: 2, producedMs: 1200 },
          { partition: 0, offset: 3, producedMs: 1300 },
        ],
        2600,
      ),
      1,
    );
    assert.match(t.pendingCondition(1), /_offset >= 4/);
    assert.equal(t.seen, 4);
    assert.deepEqual(t.latencies(), [500, 400, 700, 1400]);
    assert.deepEqual(t.latencies(1150), [700, 1400], 'warm-up left out by produce time');
  });
});

describe('percentile', () => {
  test('nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 1..100 shuffled by order
    assert.equal(percentile(values, 50), 50);
    assert.equal(percentile(values, 99), 99);
    assert.equal(percentile(values, 100), 100);
    assert.equal(percentile([7], 95), 7);
    assert.ok(Number.isNaN(percentile([], 50)));
  });
});
