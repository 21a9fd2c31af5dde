import { calcPrice, type ModelInfo, type Provider } from '@pydantic/genai-prices';
import type { MatchLogic } from './match-logic.ts';
import { pricePeriods, type PricePeriod } from './price-periods.ts';
import { conventionOf, type UsageConvention } from './token-usage.ts';

/**
 * What the pricing data prices, in one place: each model's price periods and the model each
 * spelled-out name resolves to. The Kafka-engine pricing dictionaries
 * (src/kafka-engine/pricing/flatten-genai-prices.ts) and the flat rows of priced-models.ts
 * are both built from it; the worker prices from the same data through PriceCatalog, and a
 * test checks that every name prices the same both ways at every period boundary.
 */

/** A model of the pricing data, listed once under the provider whose entry it is. */
export interface PricedModel {
  readonly provider: string;
  readonly modelId: string;
  readonly match: MatchLogic;
  readonly convention: UsageConvention;
  readonly periods: readonly PricePeriod[];
}

/** A model name (lower case) as a lookup under `provider` resolves it. */
export interface PricedName {
  readonly provider: string;
  readonly name: string;
  readonly owner: string;
  readonly modelId: string;
  readonly convention: UsageConvention;
}

export interface BundledPricing {
  /** `bundled@<genai-prices version>`, what `cost_source` says. */
  readonly source: string;
  readonly models: readonly PricedModel[];
  /**
   * Every name an `equals` or `starts_with` rule spells out, under every provider that can
   * reach it (its own models, then its fallback providers'), resolved by the library itself
   * (`calcPrice`), exactly as the worker's PriceCatalog resolves it.
   */
  readonly names: readonly PricedName[];
}

/** The bundled genai-prices data as the worker prices from it. */
export function bundledPricing(providers: readonly Provider[], source: string): BundledPricing {
  const byId = new Map(providers.map((p) => [p.id, p]));
  const owners = new Map<ModelInfo, string>();
  for (const p of providers) for (const m of p.models) owners.set(m, p.id);

  const names: PricedName[] = [];
  for (const provider of providers) {
    const searched = [
      provider,
      ...(provider.fallback_model_providers ?? []).flatMap((id) => byId.get(id) ?? []),
    ];
    const candidates = new Set(
      searched.flatMap((p) => p.models.flatMap((m) => namedArguments(m.match))),
    );
    for (const name of candidates) {
      const found = calcPrice({}, name, { providerId: provider.id });
      const owner = found === null ? undefined : owners.get(found.model);
      if (found === null || owner === undefined) continue;
      const convention = conventionOf(found.provider.id, found.model.id);
      names.push({ provider: provider.id, name, owner, modelId: found.model.id, convention });
    }
  }

  const models: PricedModel[] = [];
  const seen = new Set<string>();
  for (const provider of providers) {
    for (const model of provider.models) {
      const key = `${provider.id}\u0000${model.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      models.push({
        provider: provider.id,
        modelId: model.id,
        match: model.match,
        convention: conventionOf(provider.id, model.id),
        periods: pricePeriods(model.prices),
      });
    }
  }
  return { source, models, names };
}

/**
 * Names a rule spells out (lower-cased): its `equals` arguments and the bare prefixes of its
 * `starts_with` rules (`claude-sonnet-4-5` for "starts with claude-sonnet-4-5"), the names
 * producers send most.
 */
export function namedArguments(logic: MatchLogic): string[] {
  if ('or' in logic) return logic.or.flatMap(namedArguments);
  if ('and' in logic) return logic.and.flatMap(namedArguments);
  if ('equals' in logic) return [logic.equals.toLowerCase()];
  if ('starts_with' in logic) return [logic.starts_with.toLowerCase()];
  return [];
}
