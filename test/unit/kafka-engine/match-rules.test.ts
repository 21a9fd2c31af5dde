import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { namedArguments } from '../../../src/enrich/llm/bundled-pricing.ts';
import {
  InexpressibleRule,
  isExactOnly,
  toConjunctions,
} from '../../../src/kafka-engine/pricing/match-rules.ts';

describe('genai-prices match rules as SQL-evaluable conjunctions', () => {
  test('or becomes alternatives, arguments are lower-cased', () => {
    assert.deepEqual(
      toConjunctions({ or: [{ equals: 'GPT-4o' }, { starts_with: 'gpt-4o-2024' }] }),
      [
        [{ kind: 'equals', arg: 'gpt-4o', negate: false }],
        [{ kind: 'starts_with', arg: 'gpt-4o-2024', negate: false }],
      ],
    );
  });

  test('and multiplies out; a leading negative lookahead becomes a negated RE2 pattern', () => {
    const rule = {
      or: [
        { equals: 'gemini-2.5-flash-lite' },
        {
          and: [
            { starts_with: 'gemini-2.5-flash-lite-preview' },
            { regex: '^(?!.*-[tT][tT][sS](?:$|-))' },
          ],
        },
      ],
    };
    assert.deepEqual(toConjunctions(rule), [
      [{ kind: 'equals', arg: 'gemini-2.5-flash-lite', negate: false }],
      [
        { kind: 'starts_with', arg: 'gemini-2.5-flash-lite-preview', negate: false },
        { kind: 'regex', arg: '^(?:.*-[tT][tT][sS](?:$|-))', negate: true },
      ],
    ]);
  });

  test('^(?!X)REST splits into "not X" and "REST" (mistral model_match)', () => {
    assert.deepEqual(toConjunctions({ regex: '^(?![^/]+/)(?:labs-)?mixtral' }), [
      [
        { kind: 'regex', arg: '^(?:[^/]+/)', negate: true },
        { kind: 'regex', arg: '^(?:(?:labs-)?mixtral)', negate: false },
      ],
    ]);
  });

  test('what RE2 cannot run, or more than two conditions, is refused', () => {
    assert.throws(() => toConjunctions({ regex: 'a(?=b)' }), InexpressibleRule);
    assert.throws(() => toConjunctions({ regex: '(a)\\1' }), InexpressibleRule);
    assert.throws(
      () => toConjunctions({ and: [{ contains: 'a' }, { contains: 'b' }, { contains: 'c' }] }),
      InexpressibleRule,
    );
  });

  test('named arguments and exact-only conjunctions', () => {
    assert.deepEqual(
      namedArguments({ or: [{ equals: 'A' }, { starts_with: 'b-' }, { contains: 'c' }] }),
      ['a', 'b-'],
    );
    assert.equal(isExactOnly([{ kind: 'equals', arg: 'x', negate: false }]), true);
    assert.equal(isExactOnly([{ kind: 'starts_with', arg: 'x', negate: false }]), false);
  });
});
