import { calcPrice, type ModelInfo, type Provider } from '@pydantic/genai-prices';
import { formatScaled } from './exact-decimal.ts';
import { loadBundledPrices } from './bundled-prices.ts';
import { exactIds, type MatchLogic } from './match-logic.ts';
import {
  PRICE_SCALE,
  secondOfDayUtc,
  toExactPrices,
  type ExactModelPrices,
  type ExactPrice,
  type PriceSpec,
  type PriceSpecs,
} from './price-schedule.ts';
import { loadPricingOverrides, type OverrideProvider } from './pricing-overrides.ts';
import { conventionOf, type UsageConvention } from './token-usage.ts';

/**
 * What the pricing data prices, in one place: each model's price periods and the model each
 * spelled-out name resolves to. The Kafka-engine pricing dictionaries
 * (src/kafka-engine/pricing/flatten-genai-prices.ts) and the flat rows below are both built from
 * it; the worker prices from the same data through PriceCatalog, and a test checks that
 * every name prices the same both ways at every period boundary.
 */

/** When a price period applies: always, from a UTC instant, or in a UTC time-of-day window. */
export type PriceWindow =
  | { readonly kind: 'always' }
  | { readonly kind: 'from'; readonly startMs: number }
  | { readonly kind: 'time_of_day'; readonly startMs: number; readonly endMs: number };

/** One period of a model's prices; `time_of_day` bounds are ms of the UTC day. */
export interface PricePeriod {
  readonly window: PriceWindow;
  readonly prices: ExactModelPrices;
}

/**
 * A model's `prices` as periods, in the data's order — PriceSchedule's reading: the last
 * period whose window holds at the event's time applies, else the first.
 */
export function pricePeriods(specs: PriceSpecs): PricePeriod[] {
  const list = Array.isArray(specs)
    ? (specs as Exclude<PriceSpecs, PriceSpec>)
    : [{ prices: specs as PriceSpec }];
  return list.map(({ constraint, prices }): PricePeriod => {
    const exact = toExactPrices(prices);
    if (constraint === undefined) return { window: { kind: 'always' }, prices: exact };
    if (constraint.type === 'start_date') {
      const startMs = Date.parse(`${constraint.start_date}T00:00:00Z`);
      return { window: { kind: 'from', startMs }, prices: exact };
    }
    const ms = (time: string): number => Math.round(secondOfDayUtc(time) * 1000);
    const window = {
      kind: 'time_of_day',
      startMs: ms(constraint.start_time),
      endMs: ms(constraint.end_time),
    } as const;
    return { window, prices: exact };
  });
}

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

/**
 * One price period of one priced model, flat, for reading or for a simple dictionary keyed
 * on exact names (the Kafka-engine mode uses the richer tables flatten-genai-prices.ts builds
 * from the same data). What a flat row cannot say:
 * - Match rules: `matchIds` are the names the worker resolves to this model under its
 *   provider (spelled out by the rules); a rule that is not made of `equals` only
 *   (`exactMatch: false`) also prices other names (e.g. dated snapshots).
 * - Long-context tiers (`tiered: true`): the base (lowest) price is listed.
 * - Time-of-day prices (off-peak discounts, `timeOfDay: true`): the period outside every
 *   window is listed.
 * - Token conventions: `usageConvention` says how the provider reports cached and
 *   reasoning tokens (see token-usage.ts).
 */
export interface PricedModelRow {
  /** Pricing provider id, lower case. */
  readonly provider: string;
  /** The pricing entry's id. */
  readonly modelId: string;
  /** Model names (lower case) the worker resolves to this entry under `provider`. */
  readonly matchIds: readonly string[];
  readonly exactMatch: boolean;
  /** USD per million tokens, exact decimal text ('0' when the model has no such price). */
  readonly inputPerMtok: string;
  readonly outputPerMtok: string;
  /** null: cache reads / writes are not priced separately (they cost the input price). */
  readonly cacheReadPerMtok: string | null;
  readonly cacheWritePerMtok: string | null;
  /** null: reasoning tokens cost the output price. */
  readonly reasoningPerMtok: string | null;
  /** USD per thousand requests, or null. */
  readonly requestsPerThousand: string | null;
  /** First UTC day the prices apply ('1970-01-01' for the first period). */
  readonly effectiveFrom: string;
  /** First UTC day of the next period, or null while current. */
  readonly effectiveTo: string | null;
  readonly tiered: boolean;
  readonly timeOfDay: boolean;
  readonly usageConvention: UsageConvention;
  /** `override` or `bundled@<genai-prices version>` (what `cost_source` says). */
  readonly source: string;
}

/** Every priced model of the bundled data and the overrides file (overrides first). */
export async function listPricedModels(
  options: { readonly overridesFile?: string } = {},
): Promise<PricedModelRow[]> {
  const bundled = await loadBundledPrices();
  const overrides =
    options.overridesFile === undefined ? [] : loadPricingOverrides(options.overridesFile);
  return pricedModelRows(bundled.providers, bundled.source, overrides);
}

/**
 * Flat rows: overrides first (their names resolved as PriceCatalog does: the provider's
 * first model whose rule matches), then the bundled models from `bundledPricing`. A name an
 * override prices is left out of the bundled rows, so no key is priced twice.
 */
export function pricedModelRows(
  bundled: readonly Provider[],
  bundledSource: string,
  overrides: readonly OverrideProvider[],
): PricedModelRow[] {
  const rows: PricedModelRow[] = [];
  const taken = new Set<string>();
  const key = (provider: string, name: string): string => `${provider}\u0000${name}`;
  for (const provider of overrides) {
    const candidates = [...new Set(provider.models.flatMap((m) => namedArguments(m.match)))];
    for (const model of provider.models) {
      const matchIds = candidates.filter(
        (name) => !taken.has(key(provider.id, name)) && firstMatch(provider, name) === model,
      );
      const convention = provider.convention ?? conventionOf(provider.id, model.id);
      const entry = { provider: provider.id, modelId: model.id, match: model.match, convention };
      rows.push(...flatRows(entry, pricePeriods(model.specs), matchIds, 'override'));
    }
    for (const name of candidates) taken.add(key(provider.id, name));
  }
  const data = bundledPricing(bundled, bundledSource);
  const namesOf = new Map<string, string[]>();
  for (const n of data.names) {
    if (n.provider !== n.owner || taken.has(key(n.provider, n.name))) continue;
    const model = key(n.owner, n.modelId);
    namesOf.set(model, [...(namesOf.get(model) ?? []), n.name]);
  }
  for (const model of data.models) {
    const matchIds = namesOf.get(key(model.provider, model.modelId)) ?? [];
    rows.push(...flatRows(model, model.periods, matchIds, bundledSource));
  }
  return rows;
}

function firstMatch(provider: OverrideProvider, name: string): unknown {
  return provider.models.find((m) => m.matches(name));
}

const EPOCH_DAY = '1970-01-01';

function flatRows(
  entry: {
    provider: string;
    modelId: string;
    match: MatchLogic;
    convention: UsageConvention;
  },
  periods: readonly PricePeriod[],
  matchIds: readonly string[],
  source: string,
): PricedModelRow[] {
  const exactMatch = exactIds(entry.match) !== undefined;
  // An exact rule whose names are all priced elsewhere prices nothing.
  if (exactMatch && matchIds.length === 0) return [];
  const timeOfDay = periods.some((p) => p.window.kind === 'time_of_day');
  const dated = periods
    .flatMap(({ window, prices }) =>
      window.kind === 'time_of_day'
        ? []
        : [{ fromMs: window.kind === 'from' ? window.startMs : 0, prices }],
    )
    .sort((a, b) => a.fromMs - b.fromMs);
  const day = (ms: number): string =>
    ms === 0 ? EPOCH_DAY : new Date(ms).toISOString().slice(0, 10);
  return dated.flatMap(({ fromMs, prices }, i) => {
    if (prices.input === undefined && prices.output === undefined) return [];
    const next = dated[i + 1];
    return [
      {
        provider: entry.provider.toLowerCase(),
        modelId: entry.modelId,
        matchIds,
        exactMatch,
        inputPerMtok: text(prices.input) ?? '0',
        outputPerMtok: text(prices.output) ?? '0',
        cacheReadPerMtok: text(prices.cacheRead),
        cacheWritePerMtok: text(prices.cacheWrite),
        reasoningPerMtok: text(prices.reasoning),
        requestsPerThousand: text(prices.requestsPerThousand),
        effectiveFrom: day(fromMs),
        effectiveTo: next === undefined ? null : day(next.fromMs),
        tiered: Object.values(prices).some((p: ExactPrice) => p.tiers.length > 0),
        timeOfDay,
        usageConvention: entry.convention,
        source,
      },
    ];
  });
}

function text(price: ExactPrice | undefined): string | null {
  return price === undefined ? null : formatScaled(price.base, PRICE_SCALE);
}
