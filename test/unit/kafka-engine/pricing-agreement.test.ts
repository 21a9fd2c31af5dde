import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { loadBundledPrices } from '../../../src/enrich/llm/bundled-prices.ts';
import { formatScaled } from '../../../src/enrich/llm/exact-decimal.ts';
import { PriceCatalog } from '../../../src/enrich/llm/price-catalog.ts';
import {
  PRICE_SCALE,
  type ExactModelPrices,
  type ExactPrice,
} from '../../../src/enrich/llm/price-schedule.ts';
import { pricedModelRows } from '../../../src/enrich/llm/priced-models.ts';
import {
  CONVENTION_CODES,
  PRICE_KEYS,
  type PriceKey,
  type PriceRow,
  type PricingTables,
} from '../../../src/kafka-engine/pricing/pricing-tables.ts';
import { loadPricingTables } from '../../../src/kafka-engine/pricing/load-pricing-tables.ts';

// Restated on purpose, not imported from flatten-genai-prices.ts: a wrong mapping there must
// make this test fail, not pass on both sides.
const FIELD: Record<PriceKey, keyof ExactModelPrices> = {
  input: 'input',
  output: 'output',
  cache_read: 'cacheRead',
  cache_write: 'cacheWrite',
  reasoning: 'reasoning',
  requests: 'requestsPerThousand',
};
const DAY_MS = 86_400_000;

/**
 * The period the Kafka-engine view picks (llm-cost-sql.ts `p_llm_period`): the last whose
 * constraint holds at `ms`, else the first; 1-based, as the prices dictionary's key.
 */
function nativePeriod(kinds: number[], a: number[], b: number[], ms: number): number {
  const ofDay = ms % DAY_MS;
  for (let i = kinds.length; i >= 2; i--) {
    const [k, start, end] = [kinds[i - 1], a[i - 1] ?? 0, b[i - 1] ?? 0];
    const holds =
      k === 0 ||
      (k === 1 && ms >= start) ||
      (k === 2 && (end < start ? ofDay >= start || ofDay < end : ofDay >= start && ofDay < end));
    if (holds) return i;
  }
  return 1;
}

/** A price row's prices in the worker's shape, for comparison. */
function asExact(row: PriceRow): Partial<Record<PriceKey, ExactPrice>> {
  const out: Partial<Record<PriceKey, ExactPrice>> = {};
  for (const key of PRICE_KEYS) {
    if (row[`${key}_set`] !== 1) continue;
    const starts = row[`${key}_tier_starts`];
    const prices = row[`${key}_tier_prices`];
    out[key] = {
      base: BigInt(row[`${key}_base`]),
      tiers: starts.map((start, i) => ({ start, price: BigInt(prices[i] ?? '0') })),
    };
  }
  return out;
}

function workerShape(prices: ExactModelPrices): Partial<Record<PriceKey, ExactPrice>> {
  const out: Partial<Record<PriceKey, ExactPrice>> = {};
  for (const key of PRICE_KEYS) {
    const price = prices[FIELD[key]];
    if (price !== undefined) out[key] = { base: price.base, tiers: [...price.tiers] };
  }
  return out;
}

describe('one pricing: the worker, the Kafka-engine dictionaries and the flat rows agree', () => {
  let tables: PricingTables;
  let catalog: PriceCatalog;
  let instants: number[];
  const priceRows = new Map<string, PriceRow>();
  const modelRows = new Map<string, PricingTables['models'][number]>();
  const nativePricesAt = (owner: string, modelId: string, ms: number): PriceRow | undefined => {
    const model = modelRows.get(`${owner}/${modelId}`);
    if (model === undefined) return undefined;
    const period = nativePeriod(model.period_kinds, model.period_a, model.period_b, ms);
    return priceRows.get(`${owner}/${modelId}/${period}`);
  };

  before(async () => {
    const bundled = await loadBundledPrices();
    tables = await loadPricingTables();
    catalog = new PriceCatalog({
      bundledSource: bundled.source,
      overrides: [],
      cacheSize: 100_000,
    });
    for (const row of tables.prices)
      priceRows.set(`${row.owner}/${row.model_id}/${row.period}`, row);
    for (const row of tables.models) modelRows.set(`${row.owner}/${row.model_id}`, row);
    // Every start date just before and at it; inside and outside every time-of-day window;
    // a day long ago and one far ahead.
    const set = new Set<number>([Date.UTC(2023, 0, 1, 12), Date.UTC(2030, 5, 1, 12)]);
    for (const m of tables.models) {
      m.period_kinds.forEach((kind, i) => {
        const a = m.period_a[i] ?? 0;
        const b = m.period_b[i] ?? 0;
        if (kind === 1) for (const ms of [a - 1, a, a + DAY_MS / 2]) set.add(ms);
        if (kind === 2) {
          const day = Date.UTC(2026, 0, 15);
          for (const ms of [a, b - 1, b, a - 1]) set.add(day + ((ms + DAY_MS) % DAY_MS));
        }
      });
    }
    instants = [...set].sort((x, y) => x - y);
  });

  test('every name the dictionary holds prices as the worker prices it, at every boundary', () => {
    let compared = 0;
    for (const name of tables.names) {
      const worker = catalog.resolve(name.provider, name.name);
      const where = `${name.provider}/${name.name}`;
      assert.ok(worker !== undefined, `${where}: the worker prices it`);
      assert.equal(name.model_id, worker.modelId, where);
      assert.equal(name.convention, CONVENTION_CODES[worker.convention], `${where}: convention`);
      for (const ms of instants) {
        const native = nativePricesAt(name.owner, name.model_id, ms);
        assert.ok(native !== undefined, `${where}: a price row at ${ms}`);
        assert.deepEqual(
          asExact(native),
          workerShape(worker.schedule.pricesAt(ms)),
          `${where} at ${new Date(ms).toISOString()}`,
        );
        compared++;
      }
    }
    assert.ok(tables.names.length > 2000 && instants.length > 20, `${compared} comparisons`);
  });

  test('the flat rows say what the dictionaries say, for every name and period they list', async () => {
    const bundled = await loadBundledPrices();
    const rows = pricedModelRows(bundled.providers, bundled.source, []);
    const names = new Map(tables.names.map((n) => [`${n.provider}/${n.name}`, n]));
    let checked = 0;
    for (const row of rows) {
      for (const id of row.matchIds) {
        const name = names.get(`${row.provider}/${id}`);
        assert.equal(
          `${name?.owner}/${name?.model_id}`,
          `${row.provider}/${row.modelId}`,
          `${row.provider}/${id}`,
        );
      }
      if (row.timeOfDay) continue;
      const at = Date.parse(`${row.effectiveFrom}T00:00:00Z`);
      const native = nativePricesAt(row.provider, row.modelId, at);
      assert.ok(native !== undefined, `${row.provider}/${row.modelId}`);
      const text = (key: PriceKey): string | null =>
        native[`${key}_set`] === 1
          ? formatScaled(BigInt(native[`${key}_base`]), PRICE_SCALE)
          : null;
      assert.deepEqual(
        [
          row.inputPerMtok,
          row.outputPerMtok,
          row.cacheReadPerMtok,
          row.cacheWritePerMtok,
          row.reasoningPerMtok,
          row.requestsPerThousand,
        ],
        [
          text('input') ?? '0',
          text('output') ?? '0',
          text('cache_read'),
          text('cache_write'),
          text('reasoning'),
          text('requests'),
        ],
        `${row.provider}/${row.modelId} from ${row.effectiveFrom}`,
      );
      checked++;
    }
    assert.ok(checked > 1000, String(checked));
  });
});
