import {
  secondOfDayUtc,
  toExactPrices,
  type ExactModelPrices,
  type PriceSpec,
  type PriceSpecs,
} from './price-schedule.ts';

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
