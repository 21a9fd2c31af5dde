import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { calcPrice } from '@pydantic/genai-prices';
import { loadBundledPrices } from '../../../src/enrich/llm/bundled-prices.ts';
import { flattenGenaiPrices } from '../../../src/kafka-engine/pricing/flatten-genai-prices.ts';
import type { PricingTables } from '../../../src/kafka-engine/pricing/pricing-tables.ts';
import { compileMatch } from '../../../src/enrich/llm/match-logic.ts';

describe('flattenGenaiPrices (the bundled genai-prices data)', () => {
  let tables: PricingTables;
  before(async () => {
    const bundled = await loadBundledPrices();
    tables = flattenGenaiPrices(bundled.providers, bundled.source);
  });

  test('every rule of the bundled data is expressible in SQL (else docs/kafka-engine.md must say which)', () => {
    assert.deepEqual(tables.inexpressible, []);
    assert.match(tables.source, /^bundled@\d+\.\d+\.\d+$/);
  });

  test('the exact-name table gives the library’s own answer for every name', () => {
    assert.ok(tables.names.length > 2000, String(tables.names.length));
    for (const row of tables.names) {
      const found = calcPrice({}, row.name, { providerId: row.provider });
      assert.ok(found !== null, `${row.provider}/${row.name}`);
      assert.equal(found.model.id, row.model_id, `${row.provider}/${row.name}`);
    }
  });

  test('each model rule matches what the library’s matcher matches, in the library’s order', async () => {
    const { providers } = await loadBundledPrices();
    const openai = providers.find((p) => p.id === 'openai');
    assert.ok(openai !== undefined);
    const rules = tables.rules.models.filter((r) => r.scope === 'openai');
    // Order: the provider's own models as listed (no fallbacks for openai).
    const order = openai.models.map((m) => m.id);
    const positions = rules.map((r) => order.indexOf(r.model));
    assert.deepEqual(
      positions,
      [...positions].sort((a, b) => a - b),
    );
    // A starts_with rule's prefix plus a suffix matches both here and in the library.
    const rule = rules.find((r) => r.conjunction[0]?.kind === 'starts_with');
    assert.ok(rule !== undefined);
    const name = `${rule.conjunction[0]?.arg ?? ''}-test`;
    const model = openai.models.find((m) => m.id === rule.model);
    assert.ok(model !== undefined && compileMatch(model.match)(name));
  });

  test('prices are exact integers in 10^-12 dollars per million tokens, with periods', () => {
    const gpt4o = tables.prices.find((p) => p.owner === 'openai' && p.model_id === 'gpt-4o');
    assert.equal(gpt4o?.input_base, '2500000000000');
    assert.equal(gpt4o?.output_base, '10000000000000');
    assert.equal(gpt4o?.cache_write_set, 0);
    const timeOfDay = tables.models.find((m) => m.period_kinds.includes(2));
    assert.ok(timeOfDay !== undefined, 'some model has time-of-day prices');
    assert.ok(tables.maxPeriods >= 2 && tables.maxTiers >= 1);
  });
});
