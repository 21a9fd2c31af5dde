/**
 * Enrichment throughput on one core, and what it adds per event to the pipeline without it.
 * The same code the worker runs per message — decode (JSON → row), enrich (geo, user agent,
 * LLM cost, privacy scrubbing), serialise `properties` once and the row line for the insert —
 * over the benchmark corpus (PostHog-style events of ~1 KB: repeated and one-off user agents,
 * IPv4 and IPv6 home addresses with one-off and private ones, 20 % `$llm_request` with real
 * model ids, some carrying prompt content). No Kafka, no ClickHouse: CPU only, one thread.
 *
 *   node test/bench/enrich-throughput.ts          # prints the figures as JSON
 *   BENCH_EVENTS=300000 node test/bench/enrich-throughput.ts
 */
import { cpus } from 'node:os';
import { pathToFileURL } from 'node:url';
import { configSchema } from '../../src/config/schema.ts';
import { MessageDecoder, type RawMessage } from '../../src/decode/decode-message.ts';
import { toClickHouseDateTime64 } from '../../src/decode/event-row.ts';
import type { DecodedEventHook } from '../../src/decode/decoded-event.ts';
import { CountingEnrichCounters } from '../../src/enrich/counting-enrich-counters.ts';
import { createEnrichment } from '../../src/enrich/create-enrichment.ts';
import { createMessageSteps, runMessageSteps } from '../../src/pipeline/message-steps.ts';
import { passThrough } from '../../src/enrich/enrich-stage.ts';
import { BenchEventGenerator, MIX } from './corpus/bench-events.ts';
import { batchPathPass, partitionLogs } from './measure/batch-path-pass.ts';

/** Partitions of the batch-path pass: the bench topic's default. */
const BATCH_PATH_PARTITIONS = 6;

export interface EnrichThroughputOptions {
  /** Distinct events in the corpus (each pass goes over all of them). */
  readonly events?: number;
  /** Timed passes of each variant; the median is reported. */
  readonly rounds?: number;
  readonly seed?: number;
}

/** Per pass, from the process's CPU time (user + system) — one thread does the work. */
export interface PassFigures {
  readonly eventsPerSecond: number;
  readonly microsPerEvent: number;
  /** From wall-clock time: lower when other processes compete for the core. */
  readonly wallEventsPerSecond: number;
}

export interface EnrichThroughput {
  readonly events: number;
  readonly rounds: number;
  readonly node: string;
  readonly cpu: string | undefined;
  readonly corpus: { readonly avgBytesPerEvent: number; readonly mix: typeof MIX };
  /** Decode + enrich on empty caches and a cold JIT: the first seconds of a worker. */
  readonly firstPass: PassFigures;
  /** The pipeline's per-message CPU without enrichment: decode, serialise the row. */
  readonly decodeOnly: PassFigures;
  /** The same with enrichment, caches warm (one-off user agents and IPs still miss). */
  readonly decodeAndEnrich: PassFigures;
  /**
   * The worker's whole per-message path with enrichment: as decodeAndEnrich, then into the
   * partitions' batchers (the worker's limits and memory budget, 6 partitions) and out as
   * insert bodies (measure/batch-path-pass.ts). CPU only; the wall rate is not measured.
   * Absent from runs saved before it was measured.
   */
  readonly batchPath?: { readonly microsPerEvent: number; readonly eventsPerSecond: number };
  readonly enrichment: {
    /** What enrichment adds per event. */
    readonly addedMicrosPerEvent: number;
    /** Events per second enrichment alone could keep up with on this core. */
    readonly eventsPerSecondAlone: number;
    /** decodeAndEnrich time / decodeOnly time. */
    readonly relativeCost: number;
  };
  /** Per 1,000 events of one pass: what enrichment could not fill, and what it removed. */
  readonly perThousandEvents: {
    readonly geoMisses: Record<string, number>;
    readonly userAgentsUnparsed: number;
    readonly unknownModels: number;
    readonly contentKeysScrubbed: number;
  };
}

/** Measures; resolves with the figures (nothing printed). */
export async function measureEnrichThroughput(
  options: EnrichThroughputOptions = {},
): Promise<EnrichThroughput> {
  const events = options.events ?? 200_000;
  const rounds = options.rounds ?? 5;
  const config = configSchema.parse({
    workerId: 'bench',
    kafka: { brokers: ['bench.invalid:9092'] },
    decode: { format: 'json' },
  });
  const counters = new CountingEnrichCounters();
  const enrichment = await createEnrichment(
    { ...config.enrich, geo: { ...config.enrich.geo, watchIntervalMs: 0 } },
    { counters },
  );
  try {
    const decoder = new MessageDecoder(config.decode, undefined);
    const generator = new BenchEventGenerator({ seed: options.seed ?? 47, endMs: Date.now() });
    const messages: RawMessage[] = [];
    let bytes = 0;
    for (let i = 0; i < events; i++) {
      const value = Buffer.from(JSON.stringify(generator.next()));
      bytes += value.length;
      messages.push({
        topic: 'bench',
        partition: 0,
        offset: String(i),
        timestampMs: Date.now(),
        value,
      });
    }

    const pass = (enrich: DecodedEventHook | undefined): PassFigures => {
      const context = { nowMs: Date.now(), ingestedAt: toClickHouseDateTime64(Date.now()) };
      const steps = createMessageSteps(decoder, enrich ?? passThrough);
      let out = 0;
      const started = process.hrtime.bigint();
      const cpuStarted = process.cpuUsage();
      for (const message of messages) {
        // A partition pipeline's per-message steps, the insert's row bytes included.
        const outcome = runMessageSteps(steps, message, context);
        if (outcome.ok) out += outcome.value.bytes.length;
      }
      const cpu = process.cpuUsage(cpuStarted);
      const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (out === 0) throw new Error('no rows decoded: the corpus is broken');
      // CPU time, not wall time: "on one core" even when other processes share the machine.
      const cpuSeconds = (cpu.user + cpu.system) / 1e6;
      return {
        eventsPerSecond: Math.round(messages.length / cpuSeconds),
        microsPerEvent: round((cpuSeconds / messages.length) * 1e6, 3),
        wallEventsPerSecond: Math.round(messages.length / wallSeconds),
      };
    };

    const firstPass = pass(enrichment.stage);
    const missesOfOnePass = snapshot(counters);
    const without: PassFigures[] = [];
    const withEnrichment: PassFigures[] = [];
    for (let r = 0; r < rounds; r++) {
      without.push(pass(undefined));
      withEnrichment.push(pass(enrichment.stage));
    }
    const decodeOnly = median(without);
    const decodeAndEnrich = median(withEnrichment);
    const corpus = partitionLogs(
      messages.map((m) => m.value ?? Buffer.alloc(0)),
      BATCH_PATH_PARTITIONS,
    );
    const batchPathOptions = {
      fetchMessages: Math.max(
        1,
        Math.floor(config.kafka.fetchMaxBytesPerPartition / (bytes / events)),
      ),
      limits: config.batch,
      budgetBytes: config.maxBufferedBytes,
      inFlight: config.insert.maxInFlight,
    };
    const batchPathSteps = createMessageSteps(decoder, enrichment.stage);
    const batchPathContext = { nowMs: Date.now(), ingestedAt: toClickHouseDateTime64(Date.now()) };
    batchPathPass(corpus, batchPathSteps, batchPathContext, batchPathOptions); // warm-up
    const batchPathMicros = Array.from(
      { length: rounds },
      () =>
        batchPathPass(corpus, batchPathSteps, batchPathContext, batchPathOptions).microsPerEvent,
    ).sort((a, b) => a - b)[Math.floor(rounds / 2)]!;
    const added = Math.max(decodeAndEnrich.microsPerEvent - decodeOnly.microsPerEvent, 0.001);
    const perThousand = (n: number): number => round((n / events) * 1000, 2);
    return {
      events,
      rounds,
      node: process.version,
      cpu: cpus()[0]?.model,
      corpus: { avgBytesPerEvent: Math.round(bytes / events), mix: MIX },
      firstPass,
      decodeOnly,
      decodeAndEnrich,
      batchPath: {
        microsPerEvent: round(batchPathMicros, 3),
        eventsPerSecond: Math.round(1e6 / batchPathMicros),
      },
      enrichment: {
        addedMicrosPerEvent: round(added, 3),
        eventsPerSecondAlone: Math.round(1e6 / added),
        relativeCost: round(decodeAndEnrich.microsPerEvent / decodeOnly.microsPerEvent, 3),
      },
      perThousandEvents: {
        geoMisses: Object.fromEntries(
          Object.entries(missesOfOnePass.geoMisses).map(([k, v]) => [k, perThousand(v)]),
        ),
        userAgentsUnparsed: perThousand(missesOfOnePass.userAgentsUnparsed),
        unknownModels: perThousand(missesOfOnePass.unknownModels),
        contentKeysScrubbed: perThousand(missesOfOnePass.scrubbed),
      },
    };
  } finally {
    enrichment.close();
  }
}

function snapshot(counters: CountingEnrichCounters): {
  geoMisses: Record<string, number>;
  userAgentsUnparsed: number;
  unknownModels: number;
  scrubbed: number;
} {
  const sum = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);
  return {
    geoMisses: { ...counters.geoMisses },
    userAgentsUnparsed: counters.userAgentsUnparsed,
    unknownModels: sum(counters.unknownModels),
    scrubbed: sum(counters.scrubbed),
  };
}

function median(passes: readonly PassFigures[]): PassFigures {
  const sorted = [...passes].sort((a, b) => a.microsPerEvent - b.microsPerEvent);
  return (
    sorted[Math.floor(sorted.length / 2)] ?? {
      eventsPerSecond: 0,
      microsPerEvent: 0,
      wallEventsPerSecond: 0,
    }
  );
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const events = Number(process.env['BENCH_EVENTS'] ?? 200_000);
  console.log(JSON.stringify(await measureEnrichThroughput({ events }), null, 2));
}
