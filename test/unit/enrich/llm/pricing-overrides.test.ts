import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError } from '../../../../src/errors.ts';
import {
  loadPricingOverrides,
  parsePricingOverrides,
} from '../../../../src/enrich/llm/pricing-overrides.ts';

function problems(json: unknown): readonly string[] {
  try {
    parsePricingOverrides(json, 'prices.json');
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('pricing overrides file', () => {
  test('genai-prices provider entries are accepted as they are, dated prices included', () => {
    const [provider] = parsePricingOverrides([
      {
        id: 'OpenAI',
        name: 'OpenAI (negotiated)',
        api_pattern: 'https://api\\.openai\\.com',
        provider_match: { contains: 'openai' },
        models: [
          {
            id: 'gpt-4o',
            match: { or: [{ equals: 'gpt-4o' }, { starts_with: 'gpt-4o-2024' }] },
            prices: [
              { prices: { input_mtok: 2.5, output_mtok: 10, cache_write_1h_mtok: 6 } },
              {
                constraint: { type: 'start_date', start_date: '2026-01-01' },
                prices: {
                  input_mtok: '2',
                  output_mtok: { base: 8, tiers: [{ start: 128_000, price: 12 }] },
                },
              },
            ],
          },
        ],
      },
    ]);
    assert.ok(provider !== undefined);
    assert.equal(provider.id, 'openai');
    assert.ok(provider.matchesProvider('azure-openai'));
    const model = provider.models[0]!;
    assert.ok(model.matches('gpt-4o-2024-08-06'));
    assert.equal(model.schedule.pricesAt(Date.UTC(2025, 11, 31)).input?.base, 2_500_000_000_000n);
    assert.equal(model.schedule.pricesAt(Date.UTC(2026, 0, 1)).input?.base, 2_000_000_000_000n);
  });

  test('every mistake is reported with where it is', () => {
    const found = problems([
      {
        id: 'acme',
        models: [
          { id: 'a', prices: { input_mtoks: 1 } },
          { id: 'b', prices: { input_mtok: -1 } },
          { id: 'c', prices: { output_mtok: '1,5' } },
          { id: 'd', match: { regex: '(' }, prices: { input_mtok: 1 } },
          {
            id: 'e',
            prices: [
              {
                constraint: { type: 'start_date', start_date: '2026-13-01' },
                prices: { input_mtok: 1 },
              },
            ],
          },
          { id: 'f', prices: { web_searches_kcount: 10 } },
        ],
      },
      { models: [] },
    ]);
    const text = found.join('\n');
    for (const where of [
      '$[0].models[0].prices',
      '$[0].models[1].prices.input_mtok',
      '$[0].models[2].prices.output_mtok',
      '$[0].models[3].match',
      '$[0].models[4].prices[0].constraint.start_date',
      '$[0].models[5].prices',
      '$[1].id',
    ]) {
      assert.ok(text.includes(where), `${where} missing in:\n${text}`);
    }
    assert.ok(
      found.every((p) =>
        p.startsWith('ENRICH_PRICING_OVERRIDES_FILE (enrich.llmCost.overridesFile): prices.json: '),
      ),
    );
  });

  test('an unreadable or non-JSON file stops start-up naming the setting', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hanzo-overrides-'));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ not json');
    for (const path of [bad, join(dir, 'missing.json')]) {
      assert.throws(
        () => loadPricingOverrides(path),
        (err: unknown) =>
          err instanceof ConfigError &&
          err.message.includes('ENRICH_PRICING_OVERRIDES_FILE') &&
          err.message.includes(path),
      );
    }
  });
});
