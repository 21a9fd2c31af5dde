import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { formatScaled, rescale, toScaled } from '../../../../src/enrich/llm/exact-decimal.ts';

describe('exact decimals', () => {
  test('numbers are read as their shortest decimal text, not their binary value', () => {
    assert.equal(toScaled(0.1, 12), 100_000_000_000n);
    assert.equal(toScaled(0.075, 12), 75_000_000_000n);
    assert.equal(toScaled(1e-7, 12), 100_000n);
    assert.equal(toScaled(2.5e3, 0), 2500n);
    assert.equal(toScaled('0.0375', 12), 37_500_000_000n);
    // Float noise beyond 12 places rounds away: 0.18000000000000002 is 0.18.
    assert.equal(toScaled(0.18000000000000002, 12), 180_000_000_000n);
  });

  test('what is not a non-negative finite decimal is refused', () => {
    for (const bad of [-1, Number.NaN, Infinity, '', 'abc', '-0.5', '1.2.3', '1e999999']) {
      assert.equal(toScaled(bad, 12), undefined, String(bad));
    }
  });

  test('rounding to fewer places is half-up', () => {
    assert.equal(rescale(75n, 9, 8), 8n); // 0.000000075 → 0.00000008
    assert.equal(rescale(74n, 9, 8), 7n);
    assert.equal(rescale(5n, 1, 0), 1n);
    assert.equal(rescale(4n, 1, 0), 0n);
  });

  test('text has no trailing zeros and no exponent', () => {
    assert.equal(formatScaled(0n, 8), '0');
    assert.equal(formatScaled(1n, 8), '0.00000001');
    assert.equal(formatScaled(2_500_000_000n, 8), '25');
    assert.equal(formatScaled(150_000n, 8), '0.0015');
  });

  test('sums of scaled values are exact where floats drift', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10 ** 9 }), { maxLength: 50 }), (cents) => {
        const exact = cents.reduce((sum, c) => sum + toScaled(`${c / 100}`, 8)!, 0n);
        const expected = cents.reduce((sum, c) => sum + BigInt(c), 0n) * 1_000_000n;
        assert.equal(exact, expected);
      }),
    );
  });
});
