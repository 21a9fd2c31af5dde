import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, errorMessage } from '../../errors.ts';
import { compileMatch, type MatchLogic, type Matcher } from './match-logic.ts';
import { APPLIED_PRICE_KEYS, PriceSchedule, type PriceSpecs } from './price-schedule.ts';
import { GENAI_PRICE_KEYS } from './genai-price-keys.ts';
import { USAGE_CONVENTIONS, type UsageConvention } from './token-usage.ts';

const decimal = z.union([
  z.number().nonnegative(),
  z.string().regex(/^\d+(\.\d+)?$/, 'must be a non-negative decimal, e.g. "0.15"'),
]);
const tiered = z.strictObject({
  base: decimal,
  tiers: z.array(z.strictObject({ start: z.number().int().nonnegative(), price: decimal })).min(1),
});
const priceSpec = z
  .partialRecord(z.enum(GENAI_PRICE_KEYS), z.union([decimal, tiered]))
  .refine((spec) => Object.keys(spec).some((key) => Object.hasOwn(APPLIED_PRICE_KEYS, key)), {
    message: `needs at least one of ${Object.keys(APPLIED_PRICE_KEYS).join(', ')}`,
  });

const matchLogic: z.ZodType<MatchLogic> = z.lazy(() =>
  z.union([
    z.strictObject({ equals: z.string().min(1) }),
    z.strictObject({ starts_with: z.string().min(1) }),
    z.strictObject({ ends_with: z.string().min(1) }),
    z.strictObject({ contains: z.string().min(1) }),
    z.strictObject({
      regex: z.string().refine(isValidRegex, { message: 'is not a valid regular expression' }),
    }),
    z.strictObject({ or: z.array(matchLogic).min(1) }),
    z.strictObject({ and: z.array(matchLogic).min(1) }),
  ]),
);

const constraint = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('start_date'),
    start_date: z.iso.date({ message: 'must be a date, YYYY-MM-DD' }),
  }),
  z.strictObject({
    type: z.literal('time_of_date'),
    start_time: z.string().regex(/^\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/),
    end_time: z.string().regex(/^\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/),
  }),
]);

const model = z.strictObject({
  id: z.string().min(1),
  /** Defaults to `{ "equals": id }`. */
  match: matchLogic.optional(),
  prices: z.union([
    priceSpec,
    z.array(z.strictObject({ constraint: constraint.optional(), prices: priceSpec })).min(1),
  ]),
  name: z.string().optional(),
  description: z.string().optional(),
  context_window: z.number().optional(),
  deprecated: z.boolean().optional(),
  price_comments: z.string().optional(),
});

/** genai-prices' provider format, plus an optional `usage_convention` (see token-usage.ts). */
const provider = z.strictObject({
  id: z.string().min(1),
  models: z.array(model).min(1),
  provider_match: matchLogic.optional(),
  usage_convention: z.enum(USAGE_CONVENTIONS).optional(),
  name: z.string().optional(),
  description: z.string().optional(),
  api_pattern: z.string().optional(),
  pricing_urls: z.array(z.string()).optional(),
  price_comments: z.string().optional(),
  model_match: matchLogic.optional(),
  fallback_model_providers: z.array(z.string()).optional(),
  extractors: z.array(z.unknown()).optional(),
});

export const pricingOverridesSchema = z.array(provider);
export type PricingOverridesFile = z.infer<typeof pricingOverridesSchema>;

export interface OverrideModel {
  readonly id: string;
  readonly matches: Matcher;
  readonly match: MatchLogic;
  readonly specs: PriceSpecs;
  readonly schedule: PriceSchedule;
}

export interface OverrideProvider {
  readonly id: string;
  /** Lower-cased id or `provider_match` against the event's (lower-cased) provider. */
  readonly matchesProvider: Matcher;
  readonly convention: UsageConvention | undefined;
  readonly models: readonly OverrideModel[];
}

const SETTING = 'ENRICH_PRICING_OVERRIDES_FILE (enrich.llmCost.overridesFile)';

/** Reads and validates the overrides file; every problem stops start-up, named by place. */
export function loadPricingOverrides(path: string): OverrideProvider[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError([`${SETTING}: cannot read ${path}: ${errorMessage(err)}`]);
  }
  return parsePricingOverrides(json, path);
}

export function parsePricingOverrides(json: unknown, source = 'overrides'): OverrideProvider[] {
  const parsed = pricingOverridesSchema.safeParse(json);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map(
        (issue) => `${SETTING}: ${source}: ${formatPath(issue.path)}: ${issue.message}`,
      ),
    );
  }
  return parsed.data.map((p) => {
    const id = p.id.toLowerCase().trim();
    const byRule = p.provider_match === undefined ? undefined : compileMatch(p.provider_match);
    return {
      id,
      matchesProvider: (text) => text === id || (byRule?.(text) ?? false),
      convention: p.usage_convention,
      models: p.models.map((m) => {
        const match = m.match ?? { equals: m.id };
        const specs = m.prices as PriceSpecs;
        return {
          id: m.id,
          match,
          matches: compileMatch(match),
          specs,
          schedule: new PriceSchedule(specs),
        };
      }),
    };
  });
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, key) => (typeof key === 'number' ? `${text}[${key}]` : `${text}.${String(key)}`),
    '$',
  );
}

function isValidRegex(text: string): boolean {
  try {
    new RegExp(text);
    return true;
  } catch {
    return false;
  }
}
