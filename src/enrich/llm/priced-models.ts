import type { Provider } from '@pydantic/genai-prices';
import { formatScaled } from './exact-decimal.ts';
import { loadBundledPrices } from './bundled-prices.ts';
import { exactIds, type MatchLogic } from './match-logic.ts';
import {
  PRICE_SCALE,
  toExactPrices,
  type ExactPrice,
  type PriceConstraint,
  type PriceSpec,
  type PriceSpecs,
} from './price-schedule.ts';
import { loadPricingOverrides, type OverrideProvider } from './pricing-overrides.ts';
import { conventionOf, type UsageConvention } from './token-usage.ts';

/**
 * One price period of one priced model, flat, for a ClickHouse pricing dictionary (the
 * `kafka-engine` mode prices in SQL from the same data the worker uses).
 *
 * Limits of a flat table, compared with the worker's own pricing:
 * - Match rules. Keys are exact model ids. A rule made only of `equals` lists every id it
 *   accepts (`matchIds`, `exactMatch: true`); other rules (`starts_with`, `contains`,
 *   `regex`, `and`) accept open-ended families of names (e.g. every `claude-sonnet-4-5-*`
 *   dated snapshot): they are listed under the entry id only (`exactMatch: false`), so other
 *   names they match are priced by the worker but not by a dictionary lookup.
 * - Providers are genai-prices ids (`openai`, `anthropic`, `google`, `openrouter`…); the
 *   worker also accepts names that match a provider's `provider_match` rule and events
 *   without a provider.
 * - Long-context tiers (`tiered: true`): the base (lowest) price is listed.
 * - Time-of-day prices (off-peak discounts, `timeOfDay: true`): not representable; the
 *   period outside every window is listed.
 * - Token conventions: `usageConvention` says how the provider reports cached and
 *   reasoning tokens (see token-usage.ts); SQL must normalise the same way.
 */
export interface PricedModelRow {
  /** Pricing provider id, lower case. */
  readonly provider: string;
  /** The pricing entry's id. */
  readonly modelId: string;
  /** Model names (lower case) this row prices exactly; `[modelId]` when the rule is not exact. */
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

const EPOCH_DAY = '1970-01-01';

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
 * Flat rows from pricing data. An id already priced by an earlier entry of the same provider
 * (an override, or an earlier bundled entry — the one the worker's lookup finds first) is
 * left out of later ones, so a dictionary never holds two prices for one key.
 */
export function pricedModelRows(
  bundled: readonly Provider[],
  bundledSource: string,
  overrides: readonly OverrideProvider[],
): PricedModelRow[] {
  const rows: PricedModelRow[] = [];
  const taken = new Set<string>();
  for (const provider of overrides) {
    for (const model of provider.models) {
      const convention = provider.convention ?? conventionOf(provider.id, model.id);
      const entry = { provider: provider.id, modelId: model.id, match: model.match };
      for (const row of modelRows(entry, model.specs, convention, 'override', taken)) {
        rows.push(row);
      }
    }
  }
  for (const provider of bundled) {
    for (const model of provider.models) {
      const entry = { provider: provider.id.toLowerCase(), modelId: model.id, match: model.match };
      const convention = conventionOf(entry.provider, model.id);
      for (const row of modelRows(entry, model.prices, convention, bundledSource, taken)) {
        rows.push(row);
      }
    }
  }
  return rows;
}

function modelRows(
  entry: { provider: string; modelId: string; match: MatchLogic },
  specs: PriceSpecs,
  usageConvention: UsageConvention,
  source: string,
  taken: Set<string>,
): PricedModelRow[] {
  const exact = exactIds(entry.match);
  const candidates = exact ?? [entry.modelId.toLowerCase()];
  const matchIds = [...new Set(candidates)].filter(
    (id) => !taken.has(`${entry.provider}\u0000${id}`),
  );
  if (matchIds.length === 0) return [];
  // First entry wins, as genai-prices' own lookup (`models.find`) does.
  for (const id of matchIds) taken.add(`${entry.provider}\u0000${id}`);

  const periods: { constraint?: PriceConstraint; prices: PriceSpec }[] = Array.isArray(specs)
    ? [...(specs as Exclude<PriceSpecs, PriceSpec>)]
    : [{ prices: specs as PriceSpec }];
  const timeOfDay = periods.some((p) => p.constraint?.type === 'time_of_date');
  const dated = periods
    .filter((p) => p.constraint?.type !== 'time_of_date')
    .map((p) => ({
      from: p.constraint?.type === 'start_date' ? p.constraint.start_date : EPOCH_DAY,
      prices: p.prices,
    }))
    .sort((a, b) => a.from.localeCompare(b.from));
  return dated.flatMap((period, i) => {
    const prices = toExactPrices(period.prices);
    if (prices.input === undefined && prices.output === undefined) return [];
    const tiered = Object.values(prices).some((p: ExactPrice) => p.tiers.length > 0);
    return [
      {
        provider: entry.provider,
        modelId: entry.modelId,
        matchIds,
        exactMatch: exact !== undefined,
        inputPerMtok: text(prices.input) ?? '0',
        outputPerMtok: text(prices.output) ?? '0',
        cacheReadPerMtok: text(prices.cacheRead),
        cacheWritePerMtok: text(prices.cacheWrite),
        reasoningPerMtok: text(prices.reasoning),
        requestsPerThousand: text(prices.requestsPerThousand),
        effectiveFrom: period.from,
        effectiveTo: dated[i + 1]?.from ?? null,
        tiered,
        timeOfDay,
        usageConvention,
        source,
      },
    ];
  });
}

function text(price: ExactPrice | undefined): string | null {
  return price === undefined ? null : formatScaled(price.base, PRICE_SCALE);
}
