import { existsSync } from 'node:fs';
import type { BenchContext } from './bench-context.ts';

/** The enrichment throughput measurement is not in the tree yet. */
export class EnrichUnavailable extends Error {
  override readonly name = 'EnrichUnavailable';
}

/**
 * Enrichment throughput on one core, and its cost per event relative to the pipeline
 * without it: measured by test/bench/enrich-throughput.ts, which the enrichment work
 * provides. TODO(lead): that file has not landed while this is written; once it has,
 * replace the dynamic import below with a static import of its function.
 */
export async function measureEnrichThroughput(
  ctx: BenchContext,
): Promise<Readonly<Record<string, unknown>>> {
  const file = new URL('./enrich-throughput.ts', import.meta.url);
  if (!existsSync(file)) {
    throw new EnrichUnavailable('test/bench/enrich-throughput.ts has not landed yet');
  }
  const module = (await import(file.href)) as Record<string, unknown>;
  const measure = Object.values(module).find(
    (v): v is (options: { events: number }) => Promise<Record<string, unknown>> =>
      typeof v === 'function',
  );
  if (measure === undefined) {
    throw new EnrichUnavailable('test/bench/enrich-throughput.ts exports no function');
  }
  ctx.log('enrichment throughput: measuring on one core');
  return measure({ events: Math.min(ctx.options.events, 200_000) });
}
