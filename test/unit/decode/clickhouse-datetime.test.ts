import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { toClickHouseDateTime64 } from '../../../src/decode/event-row.ts';

/** The text as Date#toISOString writes it: what every stored timestamp was before. */
function reference(epochMs: number): string {
  const iso = new Date(epochMs).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

test('DateTime64(3) text equals toISOString for every instant, day edges and leap days included', () => {
  const edges = [
    0, 1, 999, 1000, 59_999, 86_399_999, 86_400_000, 951_782_400_000 /* 2000-02-29 */,
    1_709_164_800_000 /* 2024-02-29 */, 1_709_251_199_999, 4_102_444_800_000 /* 2100 */,
    253_402_300_799_999 /* 9999-12-31 23:59:59.999 */, 1_764_806_400_000.75, 253_402_300_800_000,
  ];
  for (const ms of edges) assert.equal(toClickHouseDateTime64(ms), reference(ms), String(ms));
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 253_402_300_799_999 }), (ms) => {
      assert.equal(toClickHouseDateTime64(ms), reference(ms));
    }),
    { numRuns: 20_000 },
  );
  fc.assert(
    fc.property(
      fc.integer({ min: 1_700_000_000_000, max: 1_800_000_000_000 }),
      fc.integer({ min: -5, max: 5 }),
      (base, days) => {
        // Alternating days exercises the cached date.
        const ms = base + days * 86_400_000;
        assert.equal(toClickHouseDateTime64(ms), reference(ms));
        assert.equal(toClickHouseDateTime64(base), reference(base));
      },
    ),
    { numRuns: 5_000 },
  );
});
