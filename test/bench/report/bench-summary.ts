import type { PreloadResult } from '../corpus/preload-corpus.ts';
import type { EnrichThroughput } from '../enrich-throughput.ts';
import type { ConsumeRun } from '../measure/consume-kafkajs.ts';
import type { InsertRun } from '../measure/insert-limit.ts';
import type { LatencyResult } from '../measure/latency.ts';
import type { NativeRun } from '../measure/native-engine.ts';
import type { OutageRun } from '../measure/outage-memory.ts';
import type { DrainRun } from '../measure/worker-drain.ts';
import { isUnavailable, rateOf, type Outcome, type Series } from './series.ts';

/** One worker configuration the bench drains the corpus with. */
export interface WorkerVariant {
  /** Names groups and tables, and keys the results: `w1_on`, `w2_off`, or `w1` (as configured). */
  readonly label: string;
  readonly workers: number;
  readonly enrichment: 'on' | 'off' | 'as configured';
}

export interface BenchResults {
  preload?: PreloadResult;
  consume?: Outcome<Series<ConsumeRun>>;
  kafkaTool?: Outcome<Series<ConsumeRun>>;
  insert?: Outcome<Series<InsertRun>>;
  enrich?: Outcome<EnrichThroughput>;
  workers: Record<string, Outcome<Series<DrainRun>>>;
  native?: Outcome<Series<NativeRun>>;
  latency?: Outcome<LatencyResult>;
  outage?: Outcome<OutageRun>;
}

export interface Ratios {
  /** Headline worker (1 process, enrichment on when available) over the native path. */
  readonly workerOverNative: number | undefined;
  /** Headline worker over min(kafkajs consume limit, insert limit). */
  readonly workerOverLimit: number | undefined;
  /** Worker without enrichment over the same limit. */
  readonly workerWithoutEnrichmentOverLimit: number | undefined;
  readonly enrichmentOnOverOff: number | undefined;
  readonly twoWorkersOverOne: number | undefined;
  /** kafkajs consumer over Kafka's own ConsumerPerformance. */
  readonly kafkajsOverKafkaTool: number | undefined;
  /** Headline worker's CPU per event over the kafkajs consumer's alone: travels between machines. */
  readonly workerCpuOverConsumeCpu: number | undefined;
}

export interface TargetCheck {
  readonly target: string;
  readonly measured: string;
  /** undefined: not measured in this run. */
  readonly met: boolean | undefined;
}

const ratio = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined || b === undefined || b === 0 ? undefined : Math.round((a / b) * 100) / 100;

const minDefined = (...values: (number | undefined)[]): number | undefined => {
  const known = values.filter((v): v is number => v !== undefined);
  return known.length === 0 ? undefined : Math.min(...known);
};

/** The 1-worker run the targets are about: enrichment on when it can be switched. */
export function headlineLabel(variants: readonly WorkerVariant[]): string | undefined {
  const one = variants.filter((v) => v.workers === 1);
  return (one.find((v) => v.enrichment === 'on') ?? one[0])?.label;
}

export function computeRatios(results: BenchResults, variants: readonly WorkerVariant[]): Ratios {
  const rate = (label: string | undefined): number | undefined =>
    label === undefined ? undefined : rateOf(results.workers[label]);
  const headline = rate(headlineLabel(variants));
  const limit = minDefined(rateOf(results.consume), rateOf(results.insert));
  const label = (workers: number, enrichment: WorkerVariant['enrichment']): string | undefined =>
    variants.find((v) => v.workers === workers && v.enrichment === enrichment)?.label;
  const two = variants.find((v) => v.workers === 2);
  const one = variants.find((v) => v.workers === 1 && v.enrichment === two?.enrichment);
  return {
    workerOverNative: ratio(headline, rateOf(results.native)),
    workerOverLimit: ratio(headline, limit),
    workerWithoutEnrichmentOverLimit: ratio(rate(label(1, 'off')), limit),
    enrichmentOnOverOff: ratio(rate(label(1, 'on')), rate(label(1, 'off'))),
    twoWorkersOverOne: ratio(rate(two?.label), rate(one?.label)),
    kafkajsOverKafkaTool: ratio(rateOf(results.consume), rateOf(results.kafkaTool)),
    workerCpuOverConsumeCpu: ratio(
      medianOf(results.workers[headlineLabel(variants) ?? ''], 'cpuSecondsPerMillion'),
      medianOf(results.consume, 'clientCpuSecondsPerMillion'),
    ),
  };
}

/** The median of one field of a measured series. */
function medianOf(outcome: Outcome<Series<object>> | undefined, field: string): number | undefined {
  if (outcome === undefined || isUnavailable(outcome)) return undefined;
  return outcome.median[field];
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

/** The targets, each with what this run measured and whether it is met. */
export function checkTargets(
  results: BenchResults,
  variants: readonly WorkerVariant[],
  ratios: Ratios,
): TargetCheck[] {
  const headline = headlineLabel(variants);
  const headlineVariant = variants.find((v) => v.label === headline);
  const workerRate = headline === undefined ? undefined : rateOf(results.workers[headline]);
  const enrichNote =
    headlineVariant?.enrichment === 'on' ? '' : ' (enrichment not switchable yet: as configured)';
  const checks: TargetCheck[] = [];
  checks.push({
    target: 'worker with full enrichment ≥ 150,000 events/s per process',
    measured:
      workerRate === undefined
        ? 'not measured'
        : `${fmt(workerRate)} events/s (${ratio(workerRate, 150_000)}× target)${enrichNote}`,
    met: workerRate === undefined ? undefined : workerRate >= 150_000 && enrichNote === '',
  });
  const native = rateOf(results.native);
  checks.push({
    target: 'one worker ≥ 2 × the native Kafka-engine path on the same data',
    measured:
      ratios.workerOverNative === undefined
        ? isUnavailable(results.native)
          ? `native: ${results.native.unavailable}`
          : 'not measured'
        : `${ratios.workerOverNative}× native (${fmt(native ?? 0)} events/s)`,
    met: ratios.workerOverNative === undefined ? undefined : ratios.workerOverNative >= 2,
  });
  checks.push(...cpuTargets(results, headline, ratios));
  checks.push({
    target: 'worker ≥ 0.8 × min(consume limit, insert limit)',
    measured:
      ratios.workerOverLimit === undefined
        ? 'not measured'
        : `${ratios.workerOverLimit}× the limit`,
    met: ratios.workerOverLimit === undefined ? undefined : ratios.workerOverLimit >= 0.8,
  });
  const latency = results.latency;
  if (latency === undefined || isUnavailable(latency)) {
    checks.push({
      target: 'p99 produce-to-queryable ≤ flush age + 1 s at half capacity',
      measured: latency === undefined ? 'not measured' : latency.unavailable,
      met: undefined,
    });
  } else {
    const bound = latency.flushAgeMs + 1000;
    checks.push({
      target: 'p99 produce-to-queryable ≤ flush age + 1 s at half capacity',
      measured: `p99 ${fmt(latency.p99Ms)} ms vs ${fmt(bound)} ms at ${fmt(latency.achievedRate)} events/s`,
      met: latency.p99Ms <= bound,
    });
  }
  const one = variants.filter((v) => v.workers === 1).map((v) => results.workers[v.label]);
  const drainPeaks = one.flatMap((o) =>
    o === undefined || isUnavailable(o) ? [] : o.runs.map((r) => r.peakRssMiB),
  );
  const outage = results.outage;
  const outagePeak = outage === undefined || isUnavailable(outage) ? undefined : outage.peakRssMiB;
  const peak = Math.max(0, ...drainPeaks, outagePeak ?? 0);
  checks.push({
    target: 'peak RSS ≤ 512 MiB with default settings, including a ClickHouse outage',
    measured:
      drainPeaks.length === 0 && outagePeak === undefined
        ? 'not measured'
        : `${peak} MiB (drains max ${Math.max(0, ...drainPeaks)}, outage ${outagePeak ?? 'not measured'})`,
    met: drainPeaks.length === 0 && outagePeak === undefined ? undefined : peak <= 512,
  });
  return checks;
}

/** The CPU targets: the worker's own cost per event, and what its inserts cost ClickHouse. */
function cpuTargets(
  results: BenchResults,
  headline: string | undefined,
  ratios: Ratios,
): TargetCheck[] {
  const worker = headline === undefined ? undefined : results.workers[headline];
  const workerCpu = medianOf(worker, 'cpuSecondsPerMillion');
  const workerCh = medianOf(worker, 'clickhouseCpuSecondsPerMillion');
  const insertCh = medianOf(results.insert, 'clickhouseCpuSecondsPerMillion');
  const chRatio = ratio(workerCh, insertCh);
  return [
    {
      target: 'worker CPU per event with full enrichment ≤ 25 µs',
      measured: workerCpu === undefined ? 'not measured' : `${workerCpu} µs per event`,
      met: workerCpu === undefined ? undefined : workerCpu <= 25,
    },
    {
      target: 'worker CPU per event ≤ 2.5 × the kafkajs consumer alone',
      measured:
        ratios.workerCpuOverConsumeCpu === undefined
          ? 'not measured'
          : `${ratios.workerCpuOverConsumeCpu}× (consumer alone ${medianOf(results.consume, 'clientCpuSecondsPerMillion')} µs)`,
      met:
        ratios.workerCpuOverConsumeCpu === undefined
          ? undefined
          : ratios.workerCpuOverConsumeCpu <= 2.5,
    },
    {
      target: "ClickHouse CPU per event for the worker's inserts ≤ 1.2 × the insert limit's",
      measured:
        chRatio === undefined
          ? 'not measured'
          : `${chRatio}× (${workerCh} vs ${insertCh} µs per event)`,
      met: chRatio === undefined ? undefined : chRatio <= 1.2,
    },
  ];
}
