import { calcPrice, type MatchLogic, type ModelInfo, type Provider } from '@pydantic/genai-prices';
import {
  PriceSchedule,
  secondOfDayUtc,
  toExactPrices,
  type ExactPrice,
  type PriceConstraint,
  type PriceSpec,
  type PriceSpecs,
} from '../../enrich/llm/price-schedule.ts';
import { conventionOf, type UsageConvention } from '../../enrich/llm/token-usage.ts';
import {
  equalsArguments,
  InexpressibleRule,
  isExactOnly,
  toConjunctions,
  type Conjunction,
} from './match-rules.ts';

/**
 * The worker's LLM pricing data (genai-prices, as src/enrich/llm uses it) as flat rows for
 * ClickHouse dictionaries, so the Kafka-engine views price events in SQL the same way:
 *
 * - names:  (provider id, model name) → priced model, for every name an `equals` rule can
 *           match — resolved by the library itself (`calcPrice`, as the worker's catalog
 *           does), so rule order and fallback providers come out exactly right;
 * - rules:  per scope, the other rules in the library's order: `provider` (provider_match),
 *           `model_match` (provider from the model when no provider is given) and
 *           `models:<provider>` (its models' rules, then its fallback providers');
 * - models: (owner provider, model id) → price periods (start dates, times of day);
 * - prices: (owner, model id, period) → the applied prices, with long-context tiers.
 *
 * Prices are integers in 10^-12 dollars per million tokens (PRICE_SCALE), as the worker's
 * exact arithmetic uses them.
 */

/** 0 inclusive, 1 separate-cache, 2 separate-reasoning (token-usage.ts). */
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
const EXACT_FIELD: Record<PriceKey, keyof ReturnType<typeof toExactPrices>> = {
  input: 'input',
  output: 'output',
  cache_read: 'cacheRead',
  cache_write: 'cacheWrite',
  reasoning: 'reasoning',
  requests: 'requestsPerThousand',
};

export interface RuleRow {
  readonly scope: string;
  readonly target_provider: string[];
  readonly target_model: string[];
  readonly convention: number[];
  readonly k1: string[];
  readonly a1: string[];
  readonly re1: string[];
  readonly n1: number[];
  readonly k2: string[];
  readonly a2: string[];
  readonly re2: string[];
  readonly n2: number[];
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
  readonly rules: readonly RuleRow[];
  readonly names: readonly NameRow[];
  readonly models: readonly ModelRow[];
  readonly prices: readonly PriceRow[];
  /** Rules SQL cannot evaluate (their exact names still resolve): `provider/model: why`. */
  readonly inexpressible: readonly string[];
  /** What `cost_source` says for costs priced from these tables (`bundled@<version>`). */
  readonly source: string;
}

interface RuleEntry {
  readonly provider: string;
  readonly model: string;
  readonly convention: number;
  readonly conjunction: Conjunction;
}

export function flattenGenaiPrices(providers: readonly Provider[], source: string): PricingTables {
  const inexpressible: string[] = [];
  const byId = new Map(providers.map((p) => [p.id, p]));
  const owners = new Map<ModelInfo, string>();
  for (const p of providers) for (const m of p.models) owners.set(m, p.id);

  const conjunctionsOf = (where: string, logic: MatchLogic): Conjunction[] => {
    try {
      return toConjunctions(logic);
    } catch (err) {
      if (!(err instanceof InexpressibleRule)) throw err;
      inexpressible.push(`${where}: ${err.message}`);
      return [];
    }
  };

  const rules: RuleRow[] = [];
  rules.push(
    ruleRow(
      'provider_ids',
      providers.map((p) => ({ provider: p.id, model: '', convention: 0, conjunction: [] })),
    ),
  );
  rules.push(
    ruleRow(
      'provider',
      providers.flatMap((p) =>
        p.provider_match === undefined
          ? []
          : conjunctionsOf(`${p.id} (provider_match)`, p.provider_match).map((conjunction) => ({
              provider: p.id,
              model: '',
              convention: 0,
              conjunction,
            })),
      ),
    ),
  );
  rules.push(
    ruleRow(
      'model_match',
      providers.flatMap((p) =>
        p.model_match === undefined
          ? []
          : conjunctionsOf(`${p.id} (model_match)`, p.model_match).map((conjunction) => ({
              provider: p.id,
              model: '',
              convention: 0,
              conjunction,
            })),
      ),
    ),
  );

  const names: NameRow[] = [];
  for (const provider of providers) {
    // The library's order: the provider's models, then each fallback provider's.
    const searched = [
      provider,
      ...(provider.fallback_model_providers ?? []).flatMap((id) => byId.get(id) ?? []),
    ];
    const entries: RuleEntry[] = [];
    const candidates = new Set<string>();
    for (const owner of searched) {
      for (const model of owner.models) {
        for (const name of equalsArguments(model.match)) candidates.add(name);
        for (const conjunction of conjunctionsOf(`${owner.id}/${model.id}`, model.match)) {
          if (isExactOnly(conjunction)) continue;
          entries.push({
            provider: owner.id,
            model: model.id,
            convention: CONVENTION_CODES[conventionOf(provider.id, model.id)],
            conjunction,
          });
        }
      }
    }
    rules.push(ruleRow(`models:${provider.id}`, entries));
    for (const name of candidates) {
      const found = calcPrice({}, name, { providerId: provider.id });
      const owner = found === null ? undefined : owners.get(found.model);
      if (found === null || owner === undefined) continue;
      names.push({
        provider: provider.id,
        name,
        owner,
        model_id: found.model.id,
        convention: CONVENTION_CODES[conventionOf(found.provider.id, found.model.id)],
      });
    }
  }

  const models: ModelRow[] = [];
  const prices: PriceRow[] = [];
  const seen = new Set<string>();
  for (const provider of providers) {
    for (const model of provider.models) {
      const key = `${provider.id}\u0000${model.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      // Validates the specs the way the worker will use them.
      new PriceSchedule(model.prices);
      const periods = periodsOf(model.prices);
      models.push({
        owner: provider.id,
        model_id: model.id,
        period_kinds: periods.map((p) => p.kind),
        period_a: periods.map((p) => p.a),
        period_b: periods.map((p) => p.b),
        cost_source: source,
      });
      periods.forEach((period, index) => {
        prices.push(priceRow(provider.id, model.id, index + 1, period.spec));
      });
    }
  }
  return { rules, names, models, prices, inexpressible, source };
}

function ruleRow(scope: string, entries: readonly RuleEntry[]): RuleRow {
  const row: RuleRow = {
    scope,
    target_provider: [],
    target_model: [],
    convention: [],
    k1: [],
    a1: [],
    re1: [],
    n1: [],
    k2: [],
    a2: [],
    re2: [],
    n2: [],
  };
  for (const entry of entries) {
    const [first, second] = entry.conjunction;
    row.target_provider.push(entry.provider);
    row.target_model.push(entry.model);
    row.convention.push(entry.convention);
    row.k1.push(first?.kind ?? '');
    row.a1.push(first?.arg ?? '');
    // match() runs only for regex rules; other rules carry the always-valid empty pattern.
    row.re1.push(first?.kind === 'regex' ? first.arg : '');
    row.n1.push(first?.negate === true ? 1 : 0);
    row.k2.push(second?.kind ?? '');
    row.a2.push(second?.arg ?? '');
    row.re2.push(second?.kind === 'regex' ? second.arg : '');
    row.n2.push(second?.negate === true ? 1 : 0);
  }
  return row;
}

interface Period {
  readonly kind: number;
  readonly a: number;
  readonly b: number;
  readonly spec: PriceSpec;
}

function periodsOf(specs: PriceSpecs): Period[] {
  const list = Array.isArray(specs)
    ? (specs as readonly { readonly constraint?: PriceConstraint; readonly prices: PriceSpec }[])
    : [{ prices: specs as PriceSpec }];
  return list.map(({ constraint, prices }) => {
    if (constraint === undefined) return { kind: 0, a: 0, b: 0, spec: prices };
    if (constraint.type === 'start_date') {
      return { kind: 1, a: Date.parse(`${constraint.start_date}T00:00:00Z`), b: 0, spec: prices };
    }
    return {
      kind: 2,
      a: Math.round(secondOfDayUtc(constraint.start_time) * 1000),
      b: Math.round(secondOfDayUtc(constraint.end_time) * 1000),
      spec: prices,
    };
  });
}

function priceRow(owner: string, modelId: string, period: number, spec: PriceSpec): PriceRow {
  const exact = toExactPrices(spec);
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
