import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadBundledPrices } from '../../../../src/enrich/llm/bundled-prices.ts';
import { listPricedModels, pricedModelRows } from '../../../../src/enrich/llm/priced-models.ts';
import { parsePricingOverrides } from '../../../../src/enrich/llm/pricing-overrides.ts';

describe('priced models as flat rows (for a ClickHouse pricing dictionary)', () => {
  test('a date-effective change gives one row per period, with its bounds', async () => {
    const rows = (await listPricedModels()).filter(
      (r) => r.provider === 'openai' && r.modelId === 'o3',
    );
    assert.deepEqual(
      rows.map((r) => [
        r.effectiveFrom,
        r.effectiveTo,
        r.inputPerMtok,
        r.outputPerMtok,
        r.cacheReadPerMtok,
      ]),
      [
        ['1970-01-01', '2025-06-10', '10', '40', '0.5'],
        ['2025-06-10', null, '2', '8', '0.5'],
      ],
    );
    assert.deepEqual(rows[0]!.matchIds, ['o3', 'o3-2025-04-16']);
    assert.equal(rows[0]!.exactMatch, true);
    assert.equal(rows[0]!.source, 'bundled@0.1.8');
  });

  test('rules that are not exact ids, tiers and time-of-day prices are flagged', async () => {
    const rows = await listPricedModels();
    const sonnet = rows.find(
      (r) => r.provider === 'anthropic' && r.modelId === 'claude-sonnet-4-5',
    );
    assert.ok(sonnet !== undefined);
    assert.deepEqual(
      [
        sonnet.exactMatch,
        sonnet.matchIds,
        sonnet.tiered,
        sonnet.inputPerMtok,
        sonnet.usageConvention,
      ],
      // Names the rules spell out that the worker resolves to this entry.
      [false, ['claude-sonnet-4-5', 'claude-sonnet-4.5'], true, '3', 'separate-cache'],
    );
    const deepseek = rows.find((r) => r.provider === 'deepseek' && r.modelId === 'deepseek-chat');
    assert.equal(deepseek?.timeOfDay, true);
    const openrouter = rows.filter((r) => r.provider === 'openrouter');
    assert.ok(openrouter.length > 500);
  });

  test('overrides come first and replace the bundled ids they price', async () => {
    const bundled = await loadBundledPrices();
    const overrides = parsePricingOverrides([
      { id: 'openai', models: [{ id: 'gpt-4o', prices: { input_mtok: '2', output_mtok: '8' } }] },
    ]);
    const rows = pricedModelRows(bundled.providers, bundled.source, overrides);
    assert.deepEqual(rows[0], {
      provider: 'openai',
      modelId: 'gpt-4o',
      matchIds: ['gpt-4o'],
      exactMatch: true,
      inputPerMtok: '2',
      outputPerMtok: '8',
      cacheReadPerMtok: null,
      cacheWritePerMtok: null,
      reasoningPerMtok: null,
      requestsPerThousand: null,
      effectiveFrom: '1970-01-01',
      effectiveTo: null,
      tiered: false,
      timeOfDay: false,
      usageConvention: 'inclusive',
      source: 'override',
    });
    const bundledGpt4o = rows.find(
      (r) => r.source !== 'override' && r.provider === 'openai' && r.modelId === 'gpt-4o',
    );
    assert.deepEqual(bundledGpt4o?.matchIds, ['gpt-4o-2024-08-06', 'gpt-4o-2024-11-20']);
    const keys = rows.flatMap((r) =>
      r.matchIds.map((id) => `${r.provider}/${id}/${r.effectiveFrom}`),
    );
    assert.equal(new Set(keys).size, keys.length, 'no key priced twice');
  });
});
