import { loadBundledPrices } from '../../enrich/llm/bundled-prices.ts';
import { flattenGenaiPrices } from './flatten-genai-prices.ts';
import type { PricingTables } from './pricing-tables.ts';

/** The pricing data bundled with the worker (genai-prices), flattened for ClickHouse. */
export async function loadPricingTables(): Promise<PricingTables> {
  const bundled = await loadBundledPrices();
  return flattenGenaiPrices(bundled.providers, bundled.source);
}
