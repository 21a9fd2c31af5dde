import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { drainRate } from '../../../../test/bench/measure/drain-rate.ts';

describe('drainRate', () => {
  test('steady state up to 80 %, leaving out the partial batches that wait for the flush age', () => {
    // 10 batches of 10,000 land one per second; the last 20,000 rows wait 5 s more.
    const samples = [
      ...Array.from({ length: 8 }, (_, i) => ({ atMs: (i + 1) * 1000, landed: (i + 1) * 10_000 })),
      { atMs: 9_000, landed: 80_000 },
      { atMs: 14_000, landed: 100_000 },
    ];
    const rate = drainRate(samples, { atMs: 0, landed: 0 }, 100_000);
    assert.equal(rate.basis, 'steady');
    assert.equal(rate.eventsPerSecond, 10_000);
    assert.equal(rate.fullSeconds, 14);
    assert.equal(rate.fullEventsPerSecond, 7_143);
  });

  test('rows already landed at the start are not counted', () => {
    const samples = [1, 2, 3, 4, 5].map((s) => ({ atMs: s * 1000, landed: 20_000 + s * 16_000 }));
    const rate = drainRate(samples, { atMs: 0, landed: 20_000 }, 100_000);
    assert.equal(rate.eventsPerSecond, 16_000);
  });

  test('too few landings for a steady state: the full drain rate, and it says so', () => {
    const samples = [
      { atMs: 5_000, landed: 50_000 },
      { atMs: 6_000, landed: 100_000 },
    ];
    const rate = drainRate(samples, { atMs: 0, landed: 0 }, 100_000);
    assert.equal(rate.basis, 'full');
    assert.equal(rate.eventsPerSecond, Math.round(100_000 / 6));
  });

  test('a drain that never completed is an error, not a rate', () => {
    assert.throws(() => drainRate([{ atMs: 1, landed: 5 }], { atMs: 0, landed: 0 }, 10));
  });
});
