import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { MessageDecoder, type RawMessage } from '../../../src/decode/decode-message.ts';
import { checkValueLimits, type ValueLimits } from '../../../src/decode/value-limits.ts';
import type { DecodeConfig } from '../../../src/config/schema.ts';
import { decodeConfig } from '../../fixtures/decode/decode-config.ts';
import { hostileCases, nestedArrays } from '../../support/hostile.ts';
import { decodeRow } from '../../fixtures/decode/decode-row.ts';

const limits: ValueLimits = { maxDepth: 4, maxKeys: 10, maxStringLength: 8 };
const reason = (value: unknown): string | undefined => {
  const outcome = checkValueLimits(value, limits);
  return outcome === undefined || outcome.ok ? undefined : outcome.deadLetter.reason;
};

describe('checkValueLimits', () => {
  const cases: [string, unknown, string | undefined][] = [
    ['a flat object within every limit', { a: 1, b: 'short', c: null, d: true }, undefined],
    ['depth exactly at the limit', { a: { b: { c: [1] } } }, undefined],
    ['one level deeper than the limit', { a: { b: { c: [[1]] } } }, 'too_deeply_nested'],
    ['scalars do not add depth', { a: { b: { c: 'x' } } }, undefined],
    [
      'keys exactly at the limit',
      Object.fromEntries([...'abcdefghij'].map((k) => [k, 0])),
      undefined,
    ],
    [
      'one key more than the limit',
      Object.fromEntries([...'abcdefghijk'].map((k) => [k, 0])),
      'too_many_keys',
    ],
    ['array items count as keys', { a: new Array(10).fill(0) }, 'too_many_keys'],
    [
      'keys counted over the whole tree',
      { a: { b: 1, c: 2 }, d: [1, 2, 3, 4, 5, 6, 7] },
      'too_many_keys',
    ],
    ['string exactly at the limit', { a: '12345678' }, undefined],
    ['string one character longer', { a: '123456789' }, 'string_too_long'],
    ['a long key counts as a long string', { '123456789': 1 }, 'string_too_long'],
    ['a string inside an array', [['123456789']], 'string_too_long'],
    ['Buffers (Avro bytes) are not walked', { a: Buffer.alloc(100) }, undefined],
  ];
  for (const [name, value, expected] of cases) {
    test(name, () => assert.equal(reason(value), expected));
  }

  test('property: the walk keeps nothing between calls (its stack is shared): any order gives each case its own answer', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...cases), { maxLength: 40 }), (sequence) => {
        for (const [name, value, expected] of sequence) assert.equal(reason(value), expected, name);
      }),
    );
  });

  test('100,000 levels deep: no stack overflow, a dead letter', () => {
    const value: unknown = JSON.parse(nestedArrays(100_000));
    assert.equal(reason(value), 'too_deeply_nested');
  });

  test('the reason names the field the walk started from', () => {
    const outcome = checkValueLimits({ a: '123456789' }, limits, 'properties');
    assert.ok(outcome !== undefined && !outcome.ok);
    assert.match(outcome.deadLetter.message, /^properties holds a string of 9 characters/);
  });
});

describe('decoding hostile JSON ends as a dead letter with its reason', () => {
  const config: DecodeConfig = decodeConfig({
    format: 'json',
    avroSchemaIds: {},
    maxStringLength: 16_384,
    maxFutureSkewMs: 60_000,
  });
  const decoder = new MessageDecoder(config, undefined);
  const context = { nowMs: Date.now(), ingestedAt: '2026-12-04 00:00:00.000' };
  const message = (value: Buffer): RawMessage => ({
    topic: 't',
    partition: 0,
    offset: '7',
    timestampMs: Date.now(),
    value,
  });

  for (const hostile of hostileCases(config.maxStringLength)) {
    test(`${hostile.name} → ${hostile.reason}`, () => {
      const outcome = decodeRow(decoder, message(hostile.value), context);
      assert.equal(outcome.ok, false);
      if (!outcome.ok)
        assert.equal(outcome.deadLetter.reason, hostile.reason, outcome.deadLetter.message);
    });
  }

  test('an enricher that throws makes an `unprocessable` dead letter at stage enrich', () => {
    const good = Buffer.from(
      JSON.stringify({
        team_id: 1,
        event: 'e',
        distinct_id: 'd',
        timestamp: new Date().toISOString(),
      }),
    );
    const outcome = decodeRow(decoder, message(good), context, () => {
      throw new RangeError('Maximum call stack size exceeded');
    });
    assert.deepEqual(outcome, {
      ok: false,
      deadLetter: {
        reason: 'unprocessable',
        stage: 'enrich',
        message: 'enrich failed: RangeError: Maximum call stack size exceeded',
      },
    });
  });
});
