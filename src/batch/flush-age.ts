/** The share of BATCH_MAX_AGE_MS by which partitions' flush ages spread out. */
const AGE_SPREAD = 0.2;

/**
 * A partition's flush age: between 80 % and 100 % of `maxAgeMs`, spread evenly over
 * partitions (golden-ratio steps, deterministic). Partitions fed at a steady rate would
 * otherwise seal by age in lockstep and queue their inserts behind each other at ClickHouse,
 * adding the whole queue to the latency of every batch's first event.
 */
export function staggeredAgeMs(maxAgeMs: number, partition: number): number {
  const phase = (partition * 0.618_033_988_749_895) % 1;
  return Math.round(maxAgeMs * (1 - AGE_SPREAD * phase));
}
