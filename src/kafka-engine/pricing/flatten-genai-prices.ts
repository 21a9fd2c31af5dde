import type { MatchLogic, Provider } from '@pydantic/genai-prices';
import type { ExactModelPrices, ExactPrice } from '../../enrich/llm/price-schedule.ts';
import { bundledPricing } from '../../enrich/llm/bundled-pricing.ts';
import type { PriceWindow } from '../../enrich/llm/price-periods.ts';
import { conventionOf } from '../../enrich/llm/token-usage.ts';
import { InexpressibleRule, isExactOnly, toConjunctions, type Conjunction } from './match-rules.ts';
import {
  CONVENTION_CODES,
  PRICE_KEYS,
  type MatchRule,
  type ModelRow,
  type NameRow,
  type PriceKey,
  type PriceRow,
  type PricingTables,
} from './pricing-tables.ts';

/**
 * The worker's LLM pricing data (genai-prices, read once by `bundledPricing` in
 * src/enrich/llm/bundled-pricing.ts: models, their price periods, names resolved by the
 * library) flattened into the Kafka-engine pricing tables (pricing-tables.ts).
 */

const EXACT_FIELD: Record<PriceKey, keyof ExactModelPrices> = {
  input: 'input',
  output: 'output',
  cache_read: 'cacheRead',
  cache_write: 'cacheWrite',
  reasoning: 'reasoning',
  requests: 'requestsPerThousand',
};

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
