import { createEnrichment } from '../../src/enrich/create-enrichment.ts';
import type { BenchContext } from './bench-context.ts';
import type { Phase } from './bench-options.ts';
import type { CorpusSpec } from './corpus/preload-corpus.ts';
import { enrichmentSwitch, type EnrichmentSwitch } from './enrichment-switch.ts';
import { measureEnrichThroughput } from './enrich-throughput.ts';
import { measureKafkaTool } from './measure/consume-kafka-tool.ts';
import { measureKafkajsConsume, type ConsumeRun } from './measure/consume-kafkajs.ts';
import {
  buildInsertBatches,
  measureInsertLimit,
  type InsertRun,
  type RowBatch,
} from './measure/insert-limit.ts';
import { measureLatency, type LatencyResult } from './measure/latency.ts';
import { measureNativeEngine, NativeUnavailable, type NativeRun } from './measure/native-engine.ts';
import { measureOutageMemory, type OutageRun } from './measure/outage-memory.ts';
import { measureWorkerDrain, type DrainRun } from './measure/worker-drain.ts';
import { PhaseCollector } from './phase-collector.ts';
import { benchWorkerConfig } from './bench-context.ts';
import type { BenchResults, WorkerVariant } from './report/bench-summary.ts';
import { headlineLabel } from './report/bench-summary.ts';
import { rateOf, type Outcome } from './report/series.ts';

/**
 * The worker configurations to drain with: 1 process with enrichment off and on, and
 * 2 processes with enrichment on (the default); without a switch, 1 and 2 as configured.
 */
export function workerVariants(
  enrichment: EnrichmentSwitch | undefined,
  skip: ReadonlySet<Phase>,
): WorkerVariant[] {
  const modes: WorkerVariant['enrichment'][] =
    enrichment === undefined ? ['as configured'] : ['off', 'on'];
  const label = (workers: number, mode: WorkerVariant['enrichment']): string =>
    `w${workers}${mode === 'as configured' ? '' : `_${mode}`}`;
  const one = skip.has('worker')
    ? []
    : modes.map((mode) => ({ label: label(1, mode), workers: 1, enrichment: mode }));
  const twoMode = modes.at(-1)!;
  const two = skip.has('worker-2')
    ? []
    : [{ label: label(2, twoMode), workers: 2, enrichment: twoMode }];
  return [...one, ...two];
}

function switchSettings(
  variant: WorkerVariant | undefined,
  enrichment: EnrichmentSwitch | undefined,
): Readonly<Record<string, string>> {
  if (variant === undefined || enrichment === undefined) return {};
  if (variant.enrichment === 'on') return enrichment.on;
  if (variant.enrichment === 'off') return enrichment.off;
  return {};
}

const unavailable = (reason: string): Outcome<never> => ({ unavailable: reason });
const failure = (err: unknown): string =>
  `failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;

/**
 * Every measurement, repetitions interleaved (consume, insert, worker variants, native;
 * then again) so that a noisy neighbour hurts all of them alike; then the latency and the
 * outage runs once. A measurement that fails is recorded as such and the rest go on.
 */
export async function runBench(
  ctx: BenchContext,
  spec: CorpusSpec,
): Promise<{ results: BenchResults; variants: WorkerVariant[]; failed: boolean }> {
  const { options } = ctx;
  const skip = options.skip;
  const topic = ctx.corpusTopic;
  const events = spec.events;
  const enrichment = enrichmentSwitch();
  // The ENRICH_*_ENABLED switches give the on/off pair; a config without them (older
  // worker) is measured as configured and the table says so.
  if (enrichment === undefined)
    ctx.log('no enrichment switch in the config: worker runs as configured');
  const variants = workerVariants(enrichment, skip);
  const log = ctx.log;
  const consume = new PhaseCollector<ConsumeRun>('kafkajs consume limit', log);
  const tool = new PhaseCollector<ConsumeRun>('ConsumerPerformance', log);
  const insert = new PhaseCollector<InsertRun>('insert limit', log);
  const native = new PhaseCollector<NativeRun>(
    'native kafka-engine',
    log,
    (e) => e instanceof NativeUnavailable,
  );
  const drains = new Map(
    variants.map((v) => [v.label, new PhaseCollector<DrainRun>(`worker ${v.label}`, log)]),
  );
  let batches: RowBatch[] | undefined;
  let insertProblem: string | undefined;
  if (!skip.has('insert')) {
    try {
      const config = benchWorkerConfig(ctx, { topic, group: 'x', table: 'x', workerId: 'x' });
      // Rows as the worker inserts them with its configured enrichment (on by default).
      const enrichment = await createEnrichment({
        ...config.enrich,
        geo: { ...config.enrich.geo, watchIntervalMs: 0 },
      });
      try {
        batches = buildInsertBatches(spec, config, topic, options.partitions, {
          enrich: enrichment.stage,
        });
      } finally {
        enrichment.close();
      }
      log(
        `insert limit: ${batches.length} batches pre-built (${batches.reduce((s, b) => s + b.rows.length, 0)} distinct rows)`,
      );
    } catch (err) {
      insertProblem = failure(err);
    }
  }

  for (let r = 1; r <= options.repeat; r++) {
    if (!skip.has('consume'))
      await consume.run(r, () => measureKafkajsConsume(ctx, topic, events, r));
    if (!skip.has('kafka-tool')) await tool.run(r, () => measureKafkaTool(ctx, topic, events, r));
    if (batches !== undefined) {
      const prebuilt = batches;
      await insert.run(r, () => measureInsertLimit(ctx, prebuilt, events, r));
    }
    for (const v of variants) {
      await drains.get(v.label)!.run(r, () =>
        measureWorkerDrain(ctx, {
          label: v.label,
          repetition: r,
          workers: v.workers,
          topic,
          events,
          settings: switchSettings(v, enrichment),
        }),
      );
    }
    if (!skip.has('native')) await native.run(r, () => measureNativeEngine(ctx, topic, events, r));
  }

  const results: BenchResults = { workers: {} };
  const set = <K extends keyof BenchResults>(key: K, value: BenchResults[K] | undefined): void => {
    if (value !== undefined) results[key] = value;
  };
  set('consume', consume.outcome());
  set('kafkaTool', tool.outcome());
  set('insert', insertProblem === undefined ? insert.outcome() : unavailable(insertProblem));
  set('native', native.outcome());
  for (const v of variants) {
    const outcome = drains.get(v.label)!.outcome();
    if (outcome !== undefined) results.workers[v.label] = outcome;
  }
  let failed =
    insertProblem !== undefined ||
    [consume, tool, insert, native, ...drains.values()].some((c) => c.failed);

  if (!skip.has('enrich')) {
    try {
      log('enrichment throughput: decode and enrich on one core, no Kafka or ClickHouse');
      results.enrich = await measureEnrichThroughput({ events: Math.min(events, 200_000) });
    } catch (err) {
      results.enrich = unavailable(failure(err));
      failed = true;
    }
  }

  // The runs below use the default settings, with enrichment on where it can be switched.
  const headline = variants.find((v) => v.label === headlineLabel(variants));
  const defaults = switchSettings(headline, enrichment);
  if (!skip.has('latency') && options.latencySeconds > 0) {
    const capacity = headline === undefined ? undefined : rateOf(results.workers[headline.label]);
    const rate =
      options.latencyRate ?? (capacity === undefined ? undefined : Math.round(capacity / 2));
    if (rate === undefined) {
      results.latency = unavailable('no 1-worker rate measured: pass --latency-rate');
    } else {
      log(`latency: producing ${rate} events/s for ${options.latencySeconds} s`);
      results.latency = await measureLatency(ctx, {
        rate,
        seconds: options.latencySeconds,
        settings: defaults,
      }).catch((err: unknown): Outcome<LatencyResult> => {
        failed = true;
        log(`latency FAILED: ${String(err)}`);
        return unavailable(failure(err));
      });
    }
  }
  if (!skip.has('outage') && options.outageSeconds > 0) {
    if (options.stackEnvFile !== undefined) {
      results.outage = unavailable(
        'not available: the stack is not managed by the bench (--stack-env)',
      );
    } else {
      results.outage = await measureOutageMemory(ctx, {
        topic,
        events,
        outageSeconds: options.outageSeconds,
        settings: defaults,
      }).catch((err: unknown): Outcome<OutageRun> => {
        failed = true;
        log(`outage FAILED: ${String(err)}`);
        return unavailable(failure(err));
      });
    }
  }
  return { results, variants, failed };
}
