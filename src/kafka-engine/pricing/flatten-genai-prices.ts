import type { MatchLogic, Provider } from '@pydantic/genai-prices';
import type { ExactModelPrices, ExactPrice } from '../../enrich/llm/price-schedule.ts';
import { bundledPricing, type PriceWindow } from '../../enrich/llm/priced-models.ts';
import { conventionOf, type UsageConvention } from '../../enrich/llm/token-usage.ts';
import { InexpressibleRule, isExactOnly, toConjunctions, type Conjunction } from './match-rules.ts';

/**
 * The worker's LLM pricing data (genai-prices, read once by `bundledPricing` in
 * src/enrich/llm/priced-models.ts: models, their price periods, names resolved by the
 * library) in the shape the Kafka-engine views price events with:
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
const EXACT_FIELD: Record<PriceKey, keyof ExactModelPrices> = {
  input: 'input',
  output: 'output',
  cache_read: 'cacheRead',
  cache_write: 'cacheWrite',
  reasoning: 'reasoning',
  requests: 'requestsPerThousand',
};

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

export function flattenGenaiPrices(providers: readonly Provider[], source: string): PricingTables {
  const inexpressible: string[] = [];
  const byId = new Map(providers.map((p) => [p.id, p]));
  const data = bundledPricing(providers, source);

  const conjunctionsOf = (where: string, logic: MatchLogic): Conjunction[] => {
    try {
      return toConjunctions(logic);
    } catch (err) {
      if (!(err instanceof InexpressibleRule)) throw err;
      inexpressible.push(`${where}: ${err.message}`);
      return [];
    }
  };

  const rulesOf = (
    scope: string,
    where: string,
    logic: MatchLogic | undefined,
    target: { owner: string; model: string; convention: number },
  ): MatchRule[] =>
    logic === undefined
      ? []
      : conjunctionsOf(where, logic).map((conjunction) => ({ scope, ...target, conjunction }));
  const providerMatch = providers.flatMap((p) =>
    rulesOf('', `${p.id} (provider_match)`, p.provider_match, {
      owner: p.id,
      model: '',
      convention: 0,
    }),
  );
  const modelMatch = providers.flatMap((p) =>
    rulesOf('', `${p.id} (model_match)`, p.model_match, { owner: p.id, model: '', convention: 0 }),
  );
  const modelRules: MatchRule[] = [];
  for (const provider of providers) {
    // The library's order: the provider's models, then each fallback provider's.
    const searched = [
      provider,
      ...(provider.fallback_model_providers ?? []).flatMap((id) => byId.get(id) ?? []),
    ];
    for (const owner of searched) {
      for (const model of owner.models) {
        for (const rule of rulesOf(provider.id, `${owner.id}/${model.id}`, model.match, {
          owner: owner.id,
          model: model.id,
          convention: CONVENTION_CODES[conventionOf(provider.id, model.id)],
        })) {
          if (!isExactOnly(rule.conjunction)) modelRules.push(rule);
        }
      }
    }
  }
  const names = data.names.map((n): NameRow => ({
    provider: n.provider,
    name: n.name,
    owner: n.owner,
    model_id: n.modelId,
    convention: CONVENTION_CODES[n.convention],
  }));

  const models: ModelRow[] = [];
  const prices: PriceRow[] = [];
  for (const model of data.models) {
    const periods = model.periods.map(({ window }) => periodColumns(window));
    models.push({
      owner: model.provider,
      model_id: model.modelId,
      period_kinds: periods.map((p) => p.kind),
      period_a: periods.map((p) => p.a),
      period_b: periods.map((p) => p.b),
      cost_source: source,
    });
    model.periods.forEach((period, index) => {
      prices.push(priceRow(model.provider, model.modelId, index + 1, period.prices));
    });
  }
  return {
    rules: {
      providerIds: providers.map((p) => p.id),
      providerMatch,
      modelMatch,
      models: modelRules,
    },
    names,
    models,
    prices,
    inexpressible,
    source,
    maxPeriods: Math.max(1, ...models.map((m) => m.period_kinds.length)),
    maxTiers: Math.max(
      0,
      ...prices.flatMap((p) => PRICE_KEYS.map((k) => p[`${k}_tier_starts`].length)),
    ),
  };
}

/** Period columns: kind 0 always, 1 from `a` (epoch ms), 2 UTC time of day [a, b) in ms. */
function periodColumns(window: PriceWindow): { kind: number; a: number; b: number } {
  switch (window.kind) {
    case 'always':
      return { kind: 0, a: 0, b: 0 };
    case 'from':
      return { kind: 1, a: window.startMs, b: 0 };
    case 'time_of_day':
      return { kind: 2, a: window.startMs, b: window.endMs };
  }
}

function priceRow(
  owner: string,
  modelId: string,
  period: number,
  exact: ExactModelPrices,
): PriceRow {
  const row: Record<string, unknown> = { owner, model_id: modelId, period };
  for (const key of PRICE_KEYS) {
    const price: ExactPrice | undefined = exact[EXACT_FIELD[key]];
    row[`${key}_set`] = price === undefined ? 0 : 1;
    row[`${key}_base`] = (price?.base ?? 0n).toString();
    row[`${key}_tier_starts`] = price?.tiers.map((t) => t.start) ?? [];
    row[`${key}_tier_prices`] = price?.tiers.map((t) => t.price.toString()) ?? [];
  }
  return row as PriceRow;
}
