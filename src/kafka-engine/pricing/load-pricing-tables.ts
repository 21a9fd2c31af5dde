import { loadBundledPrices } from '../../enrich/llm/bundled-prices.ts';
import { flattenGenaiPrices, type PricingTables } from './flatten-genai-prices.ts';

/** The pricing data bundled with the worker (genai-prices), flattened for ClickHouse. */
export async function loadPricingTables(): Promise<PricingTables> {
  const bundled = await loadBundledPrices();
  return flattenGenaiPrices(bundled.providers, bundled.source);
}
