import { calcPrice, type ModelInfo } from '@pydantic/genai-prices';
import { LRUCache } from 'lru-cache';
import { PriceSchedule } from './price-schedule.ts';
import type { OverrideProvider } from './pricing-overrides.ts';
import { conventionOf, type UsageConvention } from './token-usage.ts';

/** How one (provider, model) pair is priced. */
export interface ModelPricing {
  readonly schedule: PriceSchedule;
  /** `cost_source`: `override` or `bundled@<genai-prices version>`. */
  readonly source: string;
  readonly convention: UsageConvention;
  /** The pricing entry that matched (for the dry run and logs). */
  readonly providerId: string;
  readonly modelId: string;
}

export interface PriceCatalogOptions {
  /** `bundled@<version>` to price from genai-prices' bundled data; undefined: overrides only. */
  readonly bundledSource: string | undefined;
  readonly overrides: readonly OverrideProvider[];
  /** Distinct (provider, model) pairs remembered; model names come from producers. */
  readonly cacheSize: number;
}

const UNKNOWN = Symbol('unknown model');

/**
 * Finds the prices of a (provider, model) pair: the user's overrides first, then the data
 * bundled in genai-prices, matched by the library itself (`calcPrice`: provider ids and
 * `provider_match`, model match rules, date-suffix variants, fallback providers). Matching
 * costs microseconds, so answers — including "unknown" — are cached per pair.
 */
export class PriceCatalog {
  readonly #options: PriceCatalogOptions;
  readonly #cache: LRUCache<string, ModelPricing | typeof UNKNOWN>;
  readonly #schedules = new WeakMap<ModelInfo, PriceSchedule>();

  constructor(options: PriceCatalogOptions) {
    this.#options = options;
    this.#cache = new LRUCache({ max: Math.max(1, options.cacheSize) });
  }

  /** Pricing for the pair, or undefined for a model priced nowhere. */
  resolve(provider: string, model: string): ModelPricing | undefined {
    const key = `${provider}\u0000${model}`;
    let found = this.#cache.get(key);
    if (found === undefined) {
      found = this.#lookUp(provider.toLowerCase().trim(), model.toLowerCase().trim()) ?? UNKNOWN;
      this.#cache.set(key, found);
    }
    return found === UNKNOWN ? undefined : found;
  }

  #lookUp(provider: string, model: string): ModelPricing | undefined {
    if (model === '') return undefined;
    return this.#fromOverrides(provider, model) ?? this.#fromBundled(provider, model);
  }

  #fromOverrides(provider: string, model: string): ModelPricing | undefined {
    for (const entry of this.#options.overrides) {
      if (provider !== '' && !entry.matchesProvider(provider)) continue;
      const hit = entry.models.find((m) => m.matches(model));
      if (hit !== undefined) {
        return {
          schedule: hit.schedule,
          source: 'override',
          convention: entry.convention ?? conventionOf(entry.id, hit.id),
          providerId: entry.id,
          modelId: hit.id,
        };
      }
    }
    return undefined;
  }

  #fromBundled(provider: string, model: string): ModelPricing | undefined {
    const source = this.#options.bundledSource;
    if (source === undefined) return undefined;
    let result;
    try {
      // Zero usage: only the match is wanted; costs are computed exactly elsewhere.
      result = calcPrice({}, model, provider === '' ? {} : { providerId: provider });
    } catch {
      return undefined;
    }
    if (result === null) return undefined;
    let schedule = this.#schedules.get(result.model);
    if (schedule === undefined) {
      schedule = new PriceSchedule(result.model.prices);
      this.#schedules.set(result.model, schedule);
    }
    return {
      schedule,
      source,
      convention: conventionOf(result.provider.id, result.model.id),
      providerId: result.provider.id,
      modelId: result.model.id,
    };
  }
}
