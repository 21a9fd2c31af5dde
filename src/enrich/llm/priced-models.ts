import type { Provider } from '@pydantic/genai-prices';
import { bundledPricing, namedArguments } from './bundled-pricing.ts';
import { formatScaled } from './exact-decimal.ts';
import { loadBundledPrices } from './bundled-prices.ts';
import { exactIds, type MatchLogic } from './match-logic.ts';
import { pricePeriods, type PricePeriod } from './price-periods.ts';
import { PRICE_SCALE, type ExactPrice } from './price-schedule.ts';
import { loadPricingOverrides, type OverrideProvider } from './pricing-overrides.ts';
import { conventionOf, type UsageConvention } from './token-usage.ts';

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
