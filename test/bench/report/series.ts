/** A measurement repeated: every run, and the median of each numeric field. */
export interface Series<T extends object> {
  readonly runs: readonly T[];
  readonly median: Readonly<Record<string, number>>;
}

/** A measurement that could not be taken here, with the reason (shown in the table). */
export interface Unavailable {
  readonly unavailable: string;
}

export type Outcome<T> = T | Unavailable;

export function isUnavailable(value: unknown): value is Unavailable {
  return typeof value === 'object' && value !== null && 'unavailable' in value;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Medians of every field that is a finite number in all runs. */
export function toSeries<T extends object>(runs: readonly T[]): Series<T> {
  const first = runs[0];
  const out: Record<string, number> = {};
  if (first !== undefined) {
    for (const key of Object.keys(first)) {
      const values = runs.map((r) => (r as Record<string, unknown>)[key]);
      if (values.every((v): v is number => typeof v === 'number' && Number.isFinite(v))) {
        const m = median(values);
        out[key] = Number.isInteger(m) ? m : Math.round(m * 100) / 100;
      }
    }
  }
  return { runs, median: out };
}

/** The median events/s of a series, or undefined when it was not measured. */
export function rateOf(outcome: Outcome<Series<object>> | undefined): number | undefined {
  if (outcome === undefined || isUnavailable(outcome)) return undefined;
  return outcome.median['eventsPerSecond'];
}
