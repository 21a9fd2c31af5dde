/**
 * Produce-to-queryable bookkeeping. Each poll of ClickHouse returns the rows that became
 * visible since the previous poll (those at or past each partition's cursor); every row
 * carries its produce time, and the poll's completion time is when it was seen. A row is
 * counted once, however often an out-of-order landing makes a poll return it again.
 */
export interface LandedRow {
  readonly partition: number;
  readonly offset: number;
  /** When the producer created the event (epoch ms; the event's timestamp). */
  readonly producedMs: number;
}

export class LandingTracker {
  /** Per partition: every offset below the cursor has been seen. */
  readonly #cursor = new Map<number, number>();
  /** Per partition: offsets seen at or above the cursor (landed out of order). */
  readonly #ahead = new Map<number, Set<number>>();
  readonly #latencies: { producedMs: number; latencyMs: number }[] = [];

  /** The WHERE condition selecting rows not yet known to be seen. */
  pendingCondition(partitions: number): string {
    const parts = Array.from(
      { length: partitions },
      (_, p) => `(_partition = ${p} AND _offset >= ${this.#cursor.get(p) ?? 0})`,
    );
    return parts.join(' OR ');
  }

  /** Records the rows a poll returned, seen at `seenMs`; returns how many were new. */
  observe(rows: readonly LandedRow[], seenMs: number): number {
    let added = 0;
    for (const row of rows) {
      const cursor = this.#cursor.get(row.partition) ?? 0;
      if (row.offset < cursor) continue;
      let ahead = this.#ahead.get(row.partition);
      if (ahead === undefined) this.#ahead.set(row.partition, (ahead = new Set()));
      if (ahead.has(row.offset)) continue;
      ahead.add(row.offset);
      this.#latencies.push({ producedMs: row.producedMs, latencyMs: seenMs - row.producedMs });
      added++;
    }
    for (const [partition, ahead] of this.#ahead) {
      let cursor = this.#cursor.get(partition) ?? 0;
      while (ahead.delete(cursor)) cursor++;
      this.#cursor.set(partition, cursor);
    }
    return added;
  }

  get seen(): number {
    return this.#latencies.length;
  }

  /** Latencies of events produced at or after `fromMs` (the warm-up before it is left out). */
  latencies(fromMs = -Infinity): number[] {
    return this.#latencies.filter((l) => l.producedMs >= fromMs).map((l) => l.latencyMs);
  }
}

/** Nearest-rank percentile (p in 0..100) of unsorted values; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}
