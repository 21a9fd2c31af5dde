import { formatScaled, rescale } from './exact-decimal.ts';
import { PRICE_SCALE, type ExactModelPrices, type ExactPrice } from './price-schedule.ts';
import type { TokenUsage } from './token-usage.ts';

/** Scale of a cost before rounding: a per-million price (PRICE_SCALE) times a token count. */
export const COST_SCALE = PRICE_SCALE + 6;
/** `cost_usd` is Decimal64(8). */
export const COLUMN_SCALE = 8;
const PER_REQUEST_FROM_PER_THOUSAND = 1000n; // 10^-3 per request × 10^(COST_SCALE − PRICE_SCALE)

/**
 * The exact cost of a request in 10^-COST_SCALE dollars, the way genai-prices splits usage:
 * cache reads, cache writes and reasoning tokens are priced at their own rates when the
 * model has one (and then taken out of the input / output totals), else at the plain rate.
 * Long-context tiers are chosen by the total input tokens, as genai-prices does.
 */
export function priceTokenUsage(usage: TokenUsage, prices: ExactModelPrices): bigint {
  const { inputTotal } = usage;
  let cost = 0n;
  let uncachedInput = inputTotal;
  if (prices.cacheRead !== undefined) {
    cost += BigInt(usage.cacheRead) * rate(prices.cacheRead, inputTotal);
    uncachedInput -= usage.cacheRead;
  }
  if (prices.cacheWrite !== undefined) {
    cost += BigInt(usage.cacheWrite) * rate(prices.cacheWrite, inputTotal);
    uncachedInput -= usage.cacheWrite;
  }
  if (prices.input !== undefined) cost += BigInt(uncachedInput) * rate(prices.input, inputTotal);
  let plainOutput = usage.outputTotal;
  if (prices.reasoning !== undefined) {
    cost += BigInt(usage.reasoning) * rate(prices.reasoning, inputTotal);
    plainOutput -= usage.reasoning;
  }
  if (prices.output !== undefined) cost += BigInt(plainOutput) * rate(prices.output, inputTotal);
  if (prices.requestsPerThousand !== undefined) {
    cost += prices.requestsPerThousand.base * PER_REQUEST_FROM_PER_THOUSAND;
  }
  return cost;
}

function rate(price: ExactPrice, inputTotal: number): bigint {
  let current = price.base;
  for (const tier of price.tiers) if (inputTotal > tier.start) current = tier.price;
  return current;
}

/** The `cost_usd` text: rounded half-up to the column's 8 decimals, trailing zeros dropped. */
export function costColumnText(cost: bigint): string {
  return formatScaled(rescale(cost, COST_SCALE, COLUMN_SCALE), COLUMN_SCALE);
}
