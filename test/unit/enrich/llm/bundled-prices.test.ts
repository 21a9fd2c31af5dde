/**
 * The worker's exact pricing against genai-prices' own float calculation, over every model
 * of the bundled data: same match, same date-effective period, same tiers, same split of
 * cached and reasoning tokens — to within float noise and the 8-decimal rounding.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { calcPrice } from '@pydantic/genai-prices';
import { formatScaled } from '../../../../src/enrich/llm/exact-decimal.ts';
import { loadBundledPrices } from '../../../../src/enrich/llm/bundled-prices.ts';
import { GENAI_PRICE_KEYS } from '../../../../src/enrich/llm/genai-price-keys.ts';
import { PriceCatalog } from '../../../../src/enrich/llm/price-catalog.ts';
import {
  PRICE_SCALE,
  type PriceSpec,
  type PriceSpecs,
} from '../../../../src/enrich/llm/price-schedule.ts';
import {
  COST_SCALE,
  costColumnText,
  priceTokenUsage,
} from '../../../../src/enrich/llm/price-token-usage.ts';
import type { TokenUsage } from '../../../../src/enrich/llm/token-usage.ts';

const bundled = await loadBundledPrices();
const catalog = new PriceCatalog({
  bundledSource: bundled.source,
  overrides: [],
  cacheSize: 10_000,
});

function specsOf(prices: PriceSpecs): PriceSpec[] {
  return Array.isArray(prices)
    ? (prices as { prices: PriceSpec }[]).map((p) => p.prices)
    : [prices as PriceSpec];
}

describe('bundled genai-prices data', () => {
  test('is the pinned package version', () => {
    assert.equal(bundled.version, '0.1.8');
    assert.equal(bundled.source, 'bundled@0.1.8');
    assert.ok(bundled.providers.length > 30);
  });

  test('every price key in the data is a key override files may use', () => {
    const known = new Set<string>(GENAI_PRICE_KEYS);
    for (const provider of bundled.providers) {
      for (const model of provider.models) {
        for (const spec of specsOf(model.prices)) {
          for (const key of Object.keys(spec)) assert.ok(known.has(key), `${model.id}: ${key}`);
        }
      }
    }
  });

  test('every price converts to 12 decimals exactly (or is float noise beyond them)', () => {
    for (const provider of bundled.providers) {
      for (const model of provider.models) {
        for (const spec of specsOf(model.prices)) {
          for (const value of Object.values(spec)) {
            const numbers =
              typeof value === 'number'
                ? [value]
                : typeof value === 'object'
                  ? [Number(value.base), ...value.tiers.map((t) => Number(t.price))]
                  : [];
            for (const n of numbers) {
              const scaled = BigInt(Math.round(n * 10 ** PRICE_SCALE));
              assert.ok(Math.abs(Number(formatScaled(scaled, PRICE_SCALE)) - n) < 1e-12);
            }
          }
        }
      }
    }
  });

  test('exact costs agree with genai-prices calcPrice for every bundled model', () => {
    const instants = [
      Date.UTC(2024, 0, 1, 3),
      Date.UTC(2025, 5, 15, 12),
      Date.UTC(2026, 10, 1, 20),
    ];
    let compared = 0;
    for (const provider of bundled.providers) {
      for (const model of provider.models) {
        const exactIds = model.match && 'equals' in model.match ? [model.match.equals] : [model.id];
        const modelName = exactIds[0]!;
        const resolved = catalog.resolve(provider.id, modelName);
        if (resolved === undefined) continue; // ids their own rules do not match (e.g. ft:gpt-4o)
        for (const [i, at] of instants.entries()) {
          // genai-prices' convention: totals include their parts.
          const usage: TokenUsage = {
            inputTotal: 120_000 + i * 50_000,
            cacheRead: 30_000,
            cacheWrite: 5_000,
            outputTotal: 9_000,
            reasoning: 4_000,
          };
          const theirs = calcPrice(
            {
              input_tokens: usage.inputTotal,
              cache_read_tokens: usage.cacheRead,
              cache_write_tokens: usage.cacheWrite,
              output_tokens: usage.outputTotal,
              output_reasoning_tokens: usage.reasoning,
            },
            modelName,
            { providerId: provider.id, timestamp: new Date(at) },
          );
          assert.ok(theirs !== null);
          // Only keys both sides apply: models with audio/image/search prices add nothing
          // for these usage keys on either side.
          const ours = priceTokenUsage(usage, resolved.schedule.pricesAt(at));
          const oursFloat = Number(formatScaled(ours, COST_SCALE));
          assert.ok(
            Math.abs(oursFloat - theirs.total_price) <= 1e-9 * Math.max(1, theirs.total_price),
            `${provider.id}/${modelName} at ${new Date(at).toISOString()}: ours ${oursFloat}, genai-prices ${theirs.total_price}`,
          );
          assert.ok(
            Math.abs(Number(costColumnText(ours)) - theirs.total_price) <=
              5e-9 + 1e-9 * theirs.total_price,
          );
          compared++;
        }
      }
    }
    assert.ok(compared > 4000, `compared ${compared}`);
  });

  test('the network auto-update of genai-prices is never used', () => {
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (
          path.endsWith('.ts') &&
          /\bupdatePrices\s*\(|import[^;]*\bupdatePrices\b|REMOTE_DATA_JSON_URL/.test(
            readFileSync(path, 'utf8'),
          )
        )
          offenders.push(path);
      }
    };
    walk('src');
    assert.deepEqual(offenders, []);
  });
});
