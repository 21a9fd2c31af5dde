import type { BenchResults, WorkerVariant } from './bench-summary.ts';
import { isUnavailable, type Outcome, type Series } from './series.ts';

/** One line of the results table. */
export interface ReportRow {
  readonly measurement: string;
  /** Median events/s ('' when the line is not a rate). */
  readonly rate: string;
  /** Every repetition's events/s. */
  readonly runs: string;
  readonly peakRss: string;
  /** CPU seconds per million events: worker / ClickHouse / Kafka. */
  readonly cpu: string;
  /** The client's own CPU per event in µs, and its ratio to the kafkajs consumer's. */
  readonly cost: string;
  readonly note: string;
}

const n = (x: number | undefined): string =>
  x === undefined || Number.isNaN(x) ? '' : Math.round(x).toLocaleString('en-US');
const k = (x: number): string => `${Math.round(x / 1000)}k`;

function seriesRow(
  measurement: string,
  outcome: Outcome<Series<object>> | undefined,
  extra: (
    median: Readonly<Record<string, number>>,
    runs: readonly object[],
  ) => Partial<ReportRow> = () => ({}),
): ReportRow | undefined {
  if (outcome === undefined) return undefined;
  if (isUnavailable(outcome)) {
    return {
      measurement,
      rate: '',
      runs: '',
      peakRss: '',
      cpu: '',
      cost: '',
      note: outcome.unavailable,
    };
  }
  const rates = outcome.runs.map((r) => (r as { eventsPerSecond?: number }).eventsPerSecond ?? 0);
  return {
    measurement,
    rate: n(outcome.median['eventsPerSecond']),
    runs: rates.map(k).join(' '),
    peakRss: '',
    cpu: '',
    cost: '',
    note: '',
    ...extra(outcome.median, outcome.runs),
  };
}

/** CPU seconds per million events: client (worker processes, or the bench's own client) / ClickHouse / Kafka. */
const cpuTriple = (client?: number, clickhouse?: number, kafka?: number): string =>
  [client, clickhouse, kafka].map((x) => (x === undefined ? '-' : x.toFixed(1))).join(' / ');

const mb = (m: Readonly<Record<string, number>>): Partial<ReportRow> => ({
  note: m['megabytesPerSecond'] === undefined ? '' : `${m['megabytesPerSecond']} MB/s`,
  cpu:
    m['clientCpuSecondsPerMillion'] === undefined && m['kafkaCpuSecondsPerMillion'] === undefined
      ? ''
      : cpuTriple(m['clientCpuSecondsPerMillion'], undefined, m['kafkaCpuSecondsPerMillion']),
});

export function variantName(v: WorkerVariant): string {
  const processes = v.workers === 1 ? '1 process' : `${v.workers} processes`;
  return `worker, ${processes}, enrichment ${v.enrichment}`;
}

/** The table's lines, in the order the issue lists the measurements. */
export function reportRows(results: BenchResults, variants: readonly WorkerVariant[]): ReportRow[] {
  const rows: (ReportRow | undefined)[] = [];
  const consumeCpu = consumeCpuPerEvent(results);
  const cost = (micros: number | undefined): string =>
    micros === undefined
      ? ''
      : `${micros.toFixed(1)}${consumeCpu === undefined ? '' : ` (${(micros / consumeCpu).toFixed(1)}×)`}`;
  const p = results.preload;
  if (p !== undefined) {
    rows.push({
      measurement: 'corpus preload (kafkajs producer)',
      rate: n(p.eventsPerSecond),
      runs: '',
      peakRss: '',
      cpu: '',
      cost: '',
      note: `${p.megabytesPerSecond} MB/s, ${p.averageEventBytes} B/event`,
    });
  }
  rows.push(
    seriesRow('Kafka consume limit: kafkajs, worker settings', results.consume, (m) => ({
      ...mb(m),
      cost: cost(m['clientCpuSecondsPerMillion']),
    })),
  );
  rows.push(seriesRow('Kafka consume limit: ConsumerPerformance', results.kafkaTool, mb));
  rows.push(
    seriesRow('ClickHouse insert limit: worker batches', results.insert, (m) => ({
      note: `${m['megabytesPerSecond']} MB/s, ${m['batches']} inserts`,
      cpu: cpuTriple(m['clientCpuSecondsPerMillion'], m['clickhouseCpuSecondsPerMillion']),
    })),
  );
  const enrich = results.enrich;
  if (enrich !== undefined) {
    const name = 'enrichment, one core: decode + enrich (vs decode only)';
    rows.push(
      isUnavailable(enrich)
        ? {
            measurement: name,
            rate: '',
            runs: '',
            peakRss: '',
            cpu: '',
            cost: '',
            note: enrich.unavailable,
          }
        : {
            measurement: name,
            rate: n(enrich.decodeAndEnrich.eventsPerSecond),
            runs: '',
            peakRss: '',
            cpu: '',
            cost: '',
            note: `decode only ${n(enrich.decodeOnly.eventsPerSecond)}/s; enrichment adds ${enrich.enrichment.addedMicrosPerEvent} µs/event (${enrich.enrichment.relativeCost}× decode), alone ${n(enrich.enrichment.eventsPerSecondAlone)}/s; cold first pass ${n(enrich.firstPass.eventsPerSecond)}/s`,
          },
    );
    // Saved runs from before the batch-path pass have no such figure.
    if (!isUnavailable(enrich) && enrich.batchPath !== undefined) {
      rows.push({
        measurement: 'worker path, one core: … + serialise, batch, insert body',
        rate: n(enrich.batchPath.eventsPerSecond),
        runs: '',
        peakRss: '',
        cpu: '',
        cost: `${enrich.batchPath.microsPerEvent.toFixed(1)}`,
        note: 'decode, enrich, serialise, 6 partitions batched under the default limits and budget, insert bodies made; no Kafka, no HTTP',
      });
    }
  }
  for (const v of variants) {
    rows.push(
      seriesRow(variantName(v), results.workers[v.label], (m, runs) => ({
        peakRss: n(m['peakRssMiB']),
        cpu: cpuTriple(
          m['cpuSecondsPerMillion'],
          m['clickhouseCpuSecondsPerMillion'],
          m['kafkaCpuSecondsPerMillion'],
        ),
        cost: cost(m['cpuSecondsPerMillion']),
        note: drainNote(m, runs),
      })),
    );
  }
  rows.push(
    seriesRow('native Kafka engine (mode: kafka-engine)', results.native, (m, runs) => ({
      note: drainNote(m, runs),
      cpu: cpuTriple(undefined, m['clickhouseCpuSecondsPerMillion']),
    })),
  );
  const l = results.latency;
  if (l !== undefined) {
    rows.push(
      isUnavailable(l)
        ? {
            measurement: 'produce-to-queryable latency',
            rate: '',
            runs: '',
            peakRss: '',
            cpu: '',
            cost: '',
            note: l.unavailable,
          }
        : {
            measurement: 'produce-to-queryable latency',
            rate: n(l.achievedRate),
            runs: '',
            peakRss: n(l.peakRssMiB),
            cpu: '',
            cost: '',
            note: `p50 ${n(l.p50Ms)} ms, p95 ${n(l.p95Ms)} ms, p99 ${n(l.p99Ms)} ms, max ${n(l.maxMs)} ms (flush age ${n(l.flushAgeMs)} ms)`,
          },
    );
  }
  const o = results.outage;
  if (o !== undefined) {
    rows.push(
      isUnavailable(o)
        ? {
            measurement: 'ClickHouse outage during a drain',
            rate: '',
            runs: '',
            peakRss: '',
            cpu: '',
            cost: '',
            note: o.unavailable,
          }
        : {
            measurement: `ClickHouse outage during a drain (${o.outageSeconds} s)`,
            rate: '',
            runs: '',
            peakRss: n(o.peakRssMiB),
            cpu: '',
            cost: '',
            note: `RSS ≤ ${n(o.peakRssDuringOutageMiB)} MiB while down, caught up in ${o.recoverySeconds} s, ${o.duplicates} duplicates`,
          },
    );
  }
  return rows.filter((r): r is ReportRow => r !== undefined);
}

/** Steady-state rate unless a run was too coarse for it; the full drain beside it. */
function drainNote(m: Readonly<Record<string, number>>, runs: readonly object[]): string {
  const full = runs.some((r) => (r as { rateBasis?: string }).rateBasis === 'full');
  const drain = m['drainSeconds'] ?? m['seconds'];
  const startup = m['startupSeconds'] === undefined ? '' : `, start-up ${m['startupSeconds']} s`;
  return `${full ? 'full-drain rate (too few batches for steady state)' : 'steady state'}; whole drain ${drain} s = ${n(m['fullDrainEventsPerSecond'])}/s${startup}`;
}

/** The kafkajs consumer's own CPU per event (µs): the floor the worker's cost is compared to. */
export function consumeCpuPerEvent(results: BenchResults): number | undefined {
  const consume = results.consume;
  if (consume === undefined || isUnavailable(consume)) return undefined;
  return consume.median['clientCpuSecondsPerMillion'];
}
