/**
 * LLM cost on known inputs. Every expected cost is computed by hand from the published
 * per-million-token prices (the arithmetic is in the comments: tokens × $/Mtok, summed,
 * ÷ 1,000,000) and compared as exact decimal text.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EnrichStage } from '../../../../src/enrich/enrich-stage.ts';
import { CountingEnrichCounters } from '../../../../src/enrich/counting-enrich-counters.ts';
import { loadBundledPrices } from '../../../../src/enrich/llm/bundled-prices.ts';
import { createLlmCostEnricher } from '../../../../src/enrich/llm/llm-cost-enricher.ts';
import { PriceCatalog } from '../../../../src/enrich/llm/price-catalog.ts';
import {
  parsePricingOverrides,
  type OverrideProvider,
} from '../../../../src/enrich/llm/pricing-overrides.ts';
import { enrichedRow } from '../../../fixtures/enrich/decoded-events.ts';

const bundled = await loadBundledPrices();
const BUNDLED = `bundled@${bundled.version}`;

function pricing(
  overrides: readonly OverrideProvider[] = [],
  recompute = false,
): { stage: EnrichStage; counters: CountingEnrichCounters } {
  const catalog = new PriceCatalog({ bundledSource: bundled.source, overrides, cacheSize: 1000 });
  const enrich = createLlmCostEnricher({ catalog, recompute });
  const counters = new CountingEnrichCounters();
  return { stage: (event) => enrich(event, counters), counters };
}

const { stage, counters } = pricing();

function cost(fields: Record<string, unknown>): { cost_usd: string; cost_source: string } {
  const row = enrichedRow(stage, { event: '$llm_request', ...fields });
  return { cost_usd: row.cost_usd, cost_source: row.cost_source };
}

interface Case {
  readonly name: string;
  readonly fields: Record<string, unknown>;
  readonly expected: string;
}

const CASES: readonly Case[] = [
  {
    // gpt-4o: $2.50 in, $1.25 cached in, $10 out. OpenAI prompt tokens include cached ones.
    // (10,000 − 4,000) × 2.50 + 4,000 × 1.25 + 500 × 10 = 15,000 + 5,000 + 5,000 = 25,000 → $0.025
    name: 'OpenAI gpt-4o with cached prompt tokens',
    fields: {
      provider: 'openai',
      model: 'gpt-4o',
      tokens_prompt: 10_000,
      tokens_completion: 500,
      tokens_cache_read: 4_000,
    },
    expected: '0.025',
  },
  {
    // gpt-4o-mini: $0.15 in, $0.075 cached, $0.60 out.
    // 210 × 0.15 + 1,024 × 0.075 + 77 × 0.60 = 31.5 + 76.8 + 46.2 = 154.5 → $0.0001545
    name: 'OpenAI gpt-4o-mini, fractional cents',
    fields: {
      provider: 'openai',
      model: 'gpt-4o-mini',
      tokens_prompt: 1_234,
      tokens_completion: 77,
      tokens_cache_read: 1_024,
    },
    expected: '0.0001545',
  },
  {
    // One cached token of gpt-4o-mini: 1 × 0.075 = 0.075 → $0.000000075, rounded half-up
    // to Decimal64(8): $0.00000008
    name: 'rounding to 8 decimals is half-up, once, at the end',
    fields: {
      provider: 'openai',
      model: 'gpt-4o-mini',
      tokens_prompt: 1,
      tokens_completion: 0,
      tokens_cache_read: 1,
    },
    expected: '0.00000008',
  },
  {
    // o3 before its 2025-06-10 price cut: $10 in, $40 out.
    // 2,000 × 10 + 3,000 × 40 = 20,000 + 120,000 = 140,000 → $0.14
    name: 'OpenAI o3 priced at the event time: before the 2025-06-10 change',
    fields: {
      provider: 'openai',
      model: 'o3',
      tokens_prompt: 2_000,
      tokens_completion: 3_000,
      tokens_reasoning: 2_500,
      timestamp: '2025-06-09T23:59:59.999Z',
    },
    expected: '0.14',
  },
  {
    // o3 from 2025-06-10: $2 in, $8 out. 2,000 × 2 + 3,000 × 8 = 4,000 + 24,000 → $0.028
    name: 'OpenAI o3 priced at the event time: after the 2025-06-10 change',
    fields: {
      provider: 'openai',
      model: 'o3',
      tokens_prompt: 2_000,
      tokens_completion: 3_000,
      tokens_reasoning: 2_500,
      timestamp: '2025-06-10T00:00:00.000Z',
    },
    expected: '0.028',
  },
  {
    // gpt-5: $1.25 in, $0.125 cached, $10 out; completion includes the 3,500 reasoning tokens.
    // 2,000 × 1.25 + 1,000 × 0.125 + 4,000 × 10 = 2,500 + 125 + 40,000 = 42,625 → $0.042625
    name: 'OpenAI gpt-5: reasoning tokens are inside the completion, not added again',
    fields: {
      provider: 'openai',
      model: 'gpt-5',
      tokens_prompt: 3_000,
      tokens_completion: 4_000,
      tokens_cache_read: 1_000,
      tokens_reasoning: 3_500,
    },
    expected: '0.042625',
  },
  {
    // claude-sonnet-4-5: $3 in, $3.75 cache write, $0.30 cache read, $15 out. Anthropic's
    // input_tokens exclude cache reads and writes (total input 13,500, below the 200k tier).
    // 2,000 × 3 + 10,000 × 0.30 + 1,500 × 3.75 + 800 × 15 = 6,000 + 3,000 + 5,625 + 12,000 = 26,625
    name: 'Anthropic claude-sonnet-4-5 with cache reads and writes',
    fields: {
      provider: 'anthropic',
      model: 'claude-sonnet-4-5-20250929',
      tokens_prompt: 2_000,
      tokens_completion: 800,
      tokens_cache_read: 10_000,
      tokens_cache_write: 1_500,
    },
    expected: '0.026625',
  },
  {
    // Total input 150,000 + 60,000 = 210,000 > 200,000: long-context prices $6 / $0.60 / $22.50.
    // 150,000 × 6 + 60,000 × 0.60 + 1,000 × 22.50 = 900,000 + 36,000 + 22,500 = 958,500
    name: 'Anthropic long-context tier chosen by total input tokens',
    fields: {
      provider: 'anthropic',
      model: 'claude-sonnet-4-5',
      tokens_prompt: 150_000,
      tokens_completion: 1_000,
      tokens_cache_read: 60_000,
    },
    expected: '0.9585',
  },
  {
    // claude-haiku-4-5: $1 in, $5 out; thinking tokens are part of output_tokens.
    // 500 × 1 + 2,000 × 5 = 10,500 → $0.0105
    name: 'Anthropic claude-haiku-4-5 with extended thinking',
    fields: {
      provider: 'anthropic',
      model: 'claude-haiku-4-5',
      tokens_prompt: 500,
      tokens_completion: 2_000,
      tokens_reasoning: 1_500,
    },
    expected: '0.0105',
  },
  {
    // gemini-2.5-flash: $0.30 in, $0.03 cached, $2.50 out. Gemini's prompt count includes
    // cached tokens; thinking tokens are reported beside the candidates and billed as output.
    // 2,000 × 0.30 + 8,000 × 0.03 + (1,000 + 3,000) × 2.50 = 600 + 240 + 10,000 = 10,840
    name: 'Google gemini-2.5-flash: thoughts billed on top of the completion',
    fields: {
      provider: 'google',
      model: 'gemini-2.5-flash',
      tokens_prompt: 10_000,
      tokens_completion: 1_000,
      tokens_cache_read: 8_000,
      tokens_reasoning: 3_000,
    },
    expected: '0.01084',
  },
  {
    // gemini-2.5-pro above 200k input: $2.50 in, $0.25 cached, $15 out.
    // 200,000 × 2.50 + 50,000 × 0.25 + 2,000 × 15 = 500,000 + 12,500 + 30,000 = 542,500
    name: 'Google gemini-2.5-pro long-context tier',
    fields: {
      provider: 'google',
      model: 'gemini-2.5-pro',
      tokens_prompt: 250_000,
      tokens_completion: 2_000,
      tokens_cache_read: 50_000,
    },
    expected: '0.5425',
  },
  {
    // Exactly 200,000 input tokens is not above the tier start: $1.25 in, $10 out.
    // 200,000 × 1.25 + 1,000 × 10 = 250,000 + 10,000 = 260,000 → $0.26
    name: 'Google gemini-2.5-pro at the tier boundary keeps the base price',
    fields: {
      provider: 'google',
      model: 'gemini-2.5-pro',
      tokens_prompt: 200_000,
      tokens_completion: 1_000,
    },
    expected: '0.26',
  },
  {
    // Claude on Vertex AI (provider google, Anthropic's usage shape): $3 / $0.30 / $15.
    // 1,000 × 3 + 1,000 × 0.30 + 100 × 15 = 3,000 + 300 + 1,500 = 4,800 → $0.0048
    name: 'Claude served by Google (Vertex) keeps Anthropic token conventions',
    fields: {
      provider: 'google',
      model: 'claude-sonnet-4-5',
      tokens_prompt: 1_000,
      tokens_completion: 100,
      tokens_cache_read: 1_000,
    },
    expected: '0.0048',
  },
  {
    // OpenRouter's anthropic/claude-3.5-sonnet: $3 in, $15 out, no separate cache price, so
    // cached tokens cost the input price. 5,000 × 3 + 400 × 15 = 15,000 + 6,000 = 21,000
    name: 'OpenRouter (aggregator) anthropic/claude-3.5-sonnet',
    fields: {
      provider: 'openrouter',
      model: 'anthropic/claude-3.5-sonnet',
      tokens_prompt: 5_000,
      tokens_completion: 400,
      tokens_cache_read: 3_000,
    },
    expected: '0.021',
  },
  {
    // OpenRouter's google/gemini-2.5-pro: $1.25 in, $0.31 cache read, $10 out (OpenAI shape).
    // 3,000 × 1.25 + 1,000 × 0.31 + 600 × 10 = 3,750 + 310 + 6,000 = 10,060 → $0.01006
    name: 'OpenRouter (aggregator) google/gemini-2.5-pro with cached tokens',
    fields: {
      provider: 'openrouter',
      model: 'google/gemini-2.5-pro',
      tokens_prompt: 4_000,
      tokens_completion: 600,
      tokens_cache_read: 1_000,
    },
    expected: '0.01006',
  },
  {
    // deepseek-chat standard hours (00:30–16:30 UTC): $0.27 in, $0.07 cached, $1.10 out.
    // 600 × 0.27 + 400 × 0.07 + 500 × 1.10 = 162 + 28 + 550 = 740 → $0.00074
    name: 'DeepSeek standard-hours price at 10:00 UTC',
    fields: {
      provider: 'deepseek',
      model: 'deepseek-chat',
      tokens_prompt: 1_000,
      tokens_completion: 500,
      tokens_cache_read: 400,
      timestamp: '2026-03-01T10:00:00Z',
    },
    expected: '0.00074',
  },
  {
    // Off-peak (outside 00:30–16:30 UTC): $0.135 / $0.035 / $0.55.
    // 600 × 0.135 + 400 × 0.035 + 500 × 0.55 = 81 + 14 + 275 = 370 → $0.00037
    name: 'DeepSeek off-peak price at 20:00 UTC',
    fields: {
      provider: 'deepseek',
      model: 'deepseek-chat',
      tokens_prompt: 1_000,
      tokens_completion: 500,
      tokens_cache_read: 400,
      timestamp: '2026-03-01T20:00:00Z',
    },
    expected: '0.00037',
  },
  {
    // No provider on the event: matched by model name (OpenAI's gpt-* rule). Same as case 1.
    name: 'provider omitted: matched by the model name',
    fields: {
      model: 'gpt-4o',
      tokens_prompt: 10_000,
      tokens_completion: 500,
      tokens_cache_read: 4_000,
    },
    expected: '0.025',
  },
];

describe('LLM cost: hand-computed prices', () => {
  for (const c of CASES) {
    test(c.name, () => {
      assert.deepEqual(cost(c.fields), { cost_usd: c.expected, cost_source: BUNDLED });
    });
  }

  test('PostHog $ai_* properties fill the LLM columns and are priced the same way', () => {
    const row = enrichedRow(stage, {
      event: '$ai_generation',
      properties: {
        $ai_model: 'gpt-4o-mini',
        $ai_provider: 'openai',
        $ai_input_tokens: 1_234,
        $ai_output_tokens: '77',
        $ai_cache_read_input_tokens: 1_024,
      },
    });
    assert.deepEqual(
      [row.model, row.provider, row.tokens_prompt, row.tokens_completion, row.cost_usd],
      ['gpt-4o-mini', 'openai', 1_234, 77, '0.0001545'],
    );
  });

  test('non-LLM events get no cost and no source', () => {
    assert.deepEqual(cost({ event: '$pageview' }), { cost_usd: '0', cost_source: '' });
  });
});

describe('LLM cost: unknown models, provided costs, overrides', () => {
  test('an unknown model costs 0, is marked unknown and counted by name', () => {
    const before = counters.unknownModels.get('acme/mystery-1') ?? 0;
    assert.deepEqual(
      cost({ provider: 'acme', model: 'mystery-1', tokens_prompt: 100, tokens_completion: 10 }),
      { cost_usd: '0', cost_source: 'unknown' },
    );
    assert.equal(counters.unknownModels.get('acme/mystery-1'), before + 1);
  });

  test('an $llm_request without a model is unknown too', () => {
    assert.deepEqual(cost({ tokens_prompt: 5 }), { cost_usd: '0', cost_source: 'unknown' });
  });

  test('a cost carried by the event is kept, unless configured to recompute', () => {
    const fields = {
      provider: 'openai',
      model: 'gpt-4o',
      tokens_prompt: 10_000,
      tokens_completion: 500,
      cost_usd: '0.5',
    };
    assert.deepEqual(cost(fields), { cost_usd: '0.5', cost_source: 'provided' });
    const recompute = pricing([], true);
    const row = enrichedRow(recompute.stage, { event: '$llm_request', ...fields });
    // 10,000 × 2.50 + 500 × 10 = 30,000 → $0.03
    assert.deepEqual([row.cost_usd, row.cost_source], ['0.03', BUNDLED]);
  });

  test('recomputing keeps a provided cost when the model is unknown', () => {
    const recompute = pricing([], true);
    const row = enrichedRow(recompute.stage, {
      event: '$llm_request',
      model: 'in-house-9',
      cost_usd: 0.25,
    });
    assert.deepEqual([row.cost_usd, row.cost_source], ['0.25', 'provided']);
  });

  const overrides = parsePricingOverrides([
    {
      // A negotiated rate for gpt-4o, written as exact decimal text.
      id: 'openai',
      models: [{ id: 'gpt-4o', prices: { input_mtok: '2.00', output_mtok: '8.00' } }],
    },
    {
      id: 'self-hosted',
      provider_match: { starts_with: 'vllm' },
      models: [
        {
          id: 'llama-3.1-70b',
          match: { starts_with: 'llama-3.1-70b' },
          prices: { input_mtok: '0.1', output_mtok: '0.2' },
        },
      ],
    },
  ]);
  const withOverrides = pricing(overrides);

  test('an override wins over the bundled price of the same model', () => {
    const row = enrichedRow(withOverrides.stage, {
      event: '$llm_request',
      provider: 'openai',
      model: 'gpt-4o',
      tokens_prompt: 10_000,
      tokens_completion: 500,
      tokens_cache_read: 4_000,
    });
    // No cache price in the override: all 10,000 prompt tokens at $2.
    // 10,000 × 2 + 500 × 8 = 20,000 + 4,000 = 24,000 → $0.024
    assert.deepEqual([row.cost_usd, row.cost_source], ['0.024', 'override']);
  });

  test('models the overrides do not name still use the bundled prices', () => {
    const row = enrichedRow(withOverrides.stage, {
      event: '$llm_request',
      provider: 'openai',
      model: 'gpt-4o-mini',
      tokens_prompt: 1_234,
      tokens_completion: 77,
      tokens_cache_read: 1_024,
    });
    assert.deepEqual([row.cost_usd, row.cost_source], ['0.0001545', BUNDLED]);
  });

  test('a self-hosted model priced only by the overrides, exactly (0.1 + 0.2 = 0.3)', () => {
    const row = enrichedRow(withOverrides.stage, {
      event: '$llm_request',
      provider: 'vllm-eu',
      model: 'Llama-3.1-70B-Instruct',
      tokens_prompt: 1_000_000,
      tokens_completion: 1_000_000,
    });
    // 1,000,000 × 0.1 + 1,000,000 × 0.2 = 300,000 → $0.3 (no binary-float 0.30000000000000004)
    assert.deepEqual([row.cost_usd, row.cost_source], ['0.3', 'override']);
  });
});
