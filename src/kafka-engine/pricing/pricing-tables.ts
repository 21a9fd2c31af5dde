import type { UsageConvention } from '../../enrich/llm/token-usage.ts';
import type { Conjunction } from './match-rules.ts';

/**
 * The worker's LLM pricing data in the shape the Kafka-engine views price events with
 * (flatten-genai-prices.ts builds it):
 *
 * - names:  (provider id, model name) → priced model, for every name an `equals` or
 *           `starts_with` rule names — resolved by the library itself (`calcPrice`, as the
 *           worker's catalog does), so rule order and fallback providers come out exactly
 *           right for them (dictionary);
 * - rules:  the library's match rules in its order, for other names: provider ids,
 *           `provider_match`, `model_match`, and per provider its models' rules then its
 *           fallback providers' (rendered into the view as constant conditions: evaluated
 *           per block, not copied per row);
 * - models: (owner provider, model id) → price periods (start dates, times of day);
 * - prices: (owner, model id, period) → the applied prices, with long-context tiers.
 *
 * Prices are integers in 10^-12 dollars per million tokens (PRICE_SCALE), as the worker's
 * exact arithmetic uses them.
 */

export const CONVENTION_CODES: Readonly<Record<UsageConvention, number>> = {
  inclusive: 0,
  'separate-cache': 1,
  'separate-reasoning': 2,
};

export const PRICE_KEYS = [
  'input',
  'output',
  'cache_read',
  'cache_write',
  'reasoning',
  'requests',
] as const;
export type PriceKey = (typeof PRICE_KEYS)[number];

/** One match rule: the conjunction that selects `model` of `owner` (or a provider). */
export interface MatchRule {
  /** The provider whose lookups this rule serves ('' for provider_match / model_match). */
  readonly scope: string;
  readonly owner: string;
  readonly model: string;
  readonly convention: number;
  readonly conjunction: Conjunction;
}

export interface MatchRules {
  readonly providerIds: readonly string[];
  /** Provider from the event's provider text. */
  readonly providerMatch: readonly MatchRule[];
  /** Provider from the model name when the event names none. */
  readonly modelMatch: readonly MatchRule[];
  /** Models per provider, in the library's order (own models, then fallback providers'). */
  readonly models: readonly MatchRule[];
}

export interface NameRow {
  readonly provider: string;
  readonly name: string;
  readonly owner: string;
  readonly model_id: string;
  readonly convention: number;
}

/** Periods: kind 0 always, 1 from `a` (epoch ms), 2 UTC time of day [a, b) in ms of the day. */
export interface ModelRow {
  readonly owner: string;
  readonly model_id: string;
  readonly period_kinds: number[];
  readonly period_a: number[];
  readonly period_b: number[];
  readonly cost_source: string;
}

export type PriceRow = {
  readonly owner: string;
  readonly model_id: string;
  readonly period: number;
} & Record<`${PriceKey}_set`, number> &
  Record<`${PriceKey}_base`, string> &
  Record<`${PriceKey}_tier_starts`, number[]> &
  Record<`${PriceKey}_tier_prices`, string[]>;

export interface PricingTables {
  readonly rules: MatchRules;
  readonly names: readonly NameRow[];
  readonly models: readonly ModelRow[];
  readonly prices: readonly PriceRow[];
  /** Rules SQL cannot evaluate (their exact names still resolve): `provider/model: why`. */
  readonly inexpressible: readonly string[];
  /** What `cost_source` says for costs priced from these tables (`bundled@<version>`). */
  readonly source: string;
  /** The most price periods of one model and long-context tiers of one price. */
  readonly maxPeriods: number;
  readonly maxTiers: number;
}
