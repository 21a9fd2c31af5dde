/** count() of the target table at one moment of a drain. */
export interface LandingSample {
  readonly atMs: number;
  readonly landed: number;
}

export interface DrainRate {
  /** The rate the table reports: steady state when the curve allows it, else the full drain. */
  readonly eventsPerSecond: number;
  /** From the start to every event landed, partial batches' age wait included. */
  readonly fullSeconds: number;
  readonly fullEventsPerSecond: number;
  readonly basis: 'steady' | 'full';
}

/** Share of the events up to which the drain counts as steady state. */
export const STEADY_SHARE = 0.8;
/** Fewer distinct landings than this before the steady mark: too coarse to tell. */
const MIN_STEPS = 4;

/**
 * Drain rates from the landed-row curve. A finite backlog ends with each partition's
 * last, partial batch waiting for the flush age, which a continuous stream never sees;
 * so the headline rate is taken from the start to the first sample at or past 80 % of
 * the events, where every landing is a batch filled by size. When fewer than four
 * landings happened by then (a corpus smaller than a few batches per partition), the
 * full-drain rate is used instead and `basis` says so.
 */
export function drainRate(
  samples: readonly LandingSample[],
  start: LandingSample,
  events: number,
): DrainRate {
  const end = samples.find((s) => s.landed >= events);
  if (end === undefined) throw new Error(`the drain never reached ${events} rows`);
  const fullSeconds = (end.atMs - start.atMs) / 1000;
  const fullEventsPerSecond = (events - start.landed) / fullSeconds;
  const mark = samples.find((s) => s.landed >= STEADY_SHARE * events);
  const steps = new Set(
    samples
      .filter((s) => s.landed > start.landed && s.landed <= (mark?.landed ?? 0))
      .map((s) => s.landed),
  ).size;
  const steady =
    mark !== undefined && steps >= MIN_STEPS && mark.atMs > start.atMs
      ? (mark.landed - start.landed) / ((mark.atMs - start.atMs) / 1000)
      : undefined;
  return {
    eventsPerSecond: Math.round(steady ?? fullEventsPerSecond),
    fullSeconds: Math.round(fullSeconds * 100) / 100,
    fullEventsPerSecond: Math.round(fullEventsPerSecond),
    basis: steady === undefined ? 'full' : 'steady',
  };
}
