import { toScaled } from './exact-decimal.ts';

/** Decimal places kept of a price per million tokens (or per thousand requests). */
export const PRICE_SCALE = 12;

/** A price as pricing data writes it: a number, exact decimal text, or long-context tiers. */
export type PriceValue =
  | number
  | string
  | {
      readonly base: number | string;
      readonly tiers: readonly { readonly start: number; readonly price: number | string }[];
    };
export type PriceSpec = Readonly<Record<string, PriceValue | undefined>>;

export type PriceConstraint =
  | { readonly type: 'start_date'; readonly start_date: string }
  | { readonly type: 'time_of_date'; readonly start_time: string; readonly end_time: string };

/** A model's `prices`: one spec, or specs that apply from a date or at a time of day. */
export type PriceSpecs =
  PriceSpec | readonly { readonly constraint?: PriceConstraint; readonly prices: PriceSpec }[];

/** One price in PRICE_SCALE units; `tiers` (ascending) replace `base` above their start. */
export interface ExactPrice {
  readonly base: bigint;
  readonly tiers: readonly { readonly start: number; readonly price: bigint }[];
}

/** The prices the worker can apply from the token counts events carry. */
export interface ExactModelPrices {
  readonly input?: ExactPrice;
  readonly output?: ExactPrice;
  readonly cacheRead?: ExactPrice;
  readonly cacheWrite?: ExactPrice;
  readonly reasoning?: ExactPrice;
  /** Per thousand requests (`requests_kcount`): one request per event. */
  readonly requestsPerThousand?: ExactPrice;
}

/**
 * genai-prices price keys the worker applies. Others (audio, images, web searches, pages…)
 * need usage counts that events do not carry and add nothing to `cost_usd`.
 */
export const APPLIED_PRICE_KEYS = {
  input_mtok: 'input',
  output_mtok: 'output',
  cache_read_mtok: 'cacheRead',
  cache_write_mtok: 'cacheWrite',
  output_reasoning_mtok: 'reasoning',
  requests_kcount: 'requestsPerThousand',
} as const satisfies Record<string, keyof ExactModelPrices>;

type AppliedKey = keyof typeof APPLIED_PRICE_KEYS;

export function isAppliedPriceKey(key: string): key is AppliedKey {
  return Object.hasOwn(APPLIED_PRICE_KEYS, key);
}

/** A price value in PRICE_SCALE units, or undefined when it is not a valid price. */
export function toExactPrice(value: PriceValue): ExactPrice | undefined {
  if (typeof value === 'number' || typeof value === 'string') {
    const base = toScaled(value, PRICE_SCALE);
    return base === undefined ? undefined : { base, tiers: [] };
  }
  const base = toScaled(value.base, PRICE_SCALE);
  const listed: readonly { readonly start: number; readonly price: number | string }[] =
    value.tiers;
  if (base === undefined || !isList(listed)) return undefined;
  const tiers: { start: number; price: bigint }[] = [];
  for (const tier of listed) {
    const price = toScaled(tier.price, PRICE_SCALE);
    if (price === undefined || !Number.isSafeInteger(tier.start) || tier.start < 0)
      return undefined;
    tiers.push({ start: tier.start, price });
  }
  tiers.sort((a, b) => a.start - b.start);
  return { base, tiers };
}

/** Not a type guard on purpose: narrowing a typed readonly array would widen it to any[]. */
function isList(value: unknown): boolean {
  return Array.isArray(value);
}

export function toExactPrices(spec: PriceSpec): ExactModelPrices {
  const out: { -readonly [K in keyof ExactModelPrices]: ExactPrice } = {};
  for (const [key, value] of Object.entries(spec)) {
    if (value === undefined || !isAppliedPriceKey(key)) continue;
    const price = toExactPrice(value);
    if (price !== undefined) out[APPLIED_PRICE_KEYS[key]] = price;
  }
  return out;
}

type Window =
  | { readonly kind: 'always' }
  | { readonly kind: 'from'; readonly startMs: number }
  | { readonly kind: 'time_of_day'; readonly startSec: number; readonly endSec: number };

interface Period {
  readonly window: Window;
  readonly prices: ExactModelPrices;
}

/**
 * A model's prices over time, selected exactly as genai-prices does: the last period whose
 * constraint holds at the instant (a start date reached, or a UTC time-of-day window),
 * else the first.
 */
export class PriceSchedule {
  readonly #periods: readonly Period[];

  constructor(specs: PriceSpecs) {
    const list = Array.isArray(specs)
      ? (specs as Exclude<PriceSpecs, PriceSpec>)
      : [{ prices: specs as PriceSpec }];
    this.#periods = list.map((entry) => ({
      window: toWindow(entry.constraint),
      prices: toExactPrices(entry.prices),
    }));
  }

  pricesAt(epochMs: number): ExactModelPrices {
    const periods = this.#periods;
    for (let i = periods.length - 1; i >= 0; i--) {
      const period = periods[i];
      if (period !== undefined && holds(period.window, epochMs)) return period.prices;
    }
    return periods[0]?.prices ?? {};
  }
}

function holds(window: Window, epochMs: number): boolean {
  switch (window.kind) {
    case 'always':
      return true;
    case 'from':
      return epochMs >= window.startMs;
    case 'time_of_day': {
      const second = (((epochMs % 86_400_000) + 86_400_000) % 86_400_000) / 1000;
      return window.endSec < window.startSec
        ? second >= window.startSec || second < window.endSec
        : second >= window.startSec && second < window.endSec;
    }
  }
}

function toWindow(constraint: PriceConstraint | undefined): Window {
  if (constraint === undefined) return { kind: 'always' };
  if (constraint.type === 'start_date') {
    return { kind: 'from', startMs: Date.parse(`${constraint.start_date}T00:00:00Z`) };
  }
  return {
    kind: 'time_of_day',
    startSec: secondOfDayUtc(constraint.start_time),
    endSec: secondOfDayUtc(constraint.end_time),
  };
}

const TIME_OF_DAY = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|([+-])(\d{2}):(\d{2}))$/;

/** 'hh:mm:ss[.fff](Z|±hh:mm)' → second of the UTC day. */
export function secondOfDayUtc(text: string): number {
  const m = TIME_OF_DAY.exec(text);
  if (m === null) throw new RangeError(`invalid time of day: ${text}`);
  const local = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) + Number(`0.${m[4] ?? '0'}`);
  const offset =
    m[5] === 'Z' ? 0 : (m[6] === '+' ? 1 : -1) * (Number(m[7]) * 60 + Number(m[8])) * 60;
  return (local - offset + 86_400) % 86_400;
}
