import { CompressionTypes, Partitioners, type Message } from 'kafkajs';
import {
  benchWorkerConfig,
  benchWorkerEnv,
  dropSchema,
  sleep,
  type BenchContext,
} from '../bench-context.ts';
import { BenchEventGenerator } from '../corpus/bench-events.ts';
import { createTopic, round } from '../corpus/preload-corpus.ts';
import { LandingTracker, percentile, type LandedRow } from './landing-tracker.ts';
import { ProcessWatch } from './proc-stats.ts';
import { WorkerFleet, waitForStableGroup } from './worker-fleet.ts';

export interface LatencyResult {
  readonly targetRate: number;
  readonly achievedRate: number;
  readonly produced: number;
  readonly measured: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly pollIntervalMs: number;
  /** The worker's batch.maxAgeMs: the target is p99 ≤ this + 1 s. */
  readonly flushAgeMs: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly peakRssMiB: number;
}

const TICK_MS = 20;
const POLL_MS = 100;
const SENDS_IN_FLIGHT = 8;

/**
 * Produce-to-queryable at a fixed rate: one worker (default settings plus the run's) on a
 * fresh, empty topic; the producer stamps each event's timestamp with the moment it hands
 * the event to the client; a poller SELECTs the rows that became visible since its last
 * poll and counts each row's latency as (time the SELECT returned it − produce time).
 * Events of the first tenth of the run (at least 1 s) are warm-up and left out.
 */
export async function measureLatency(
  ctx: BenchContext,
  options: { rate: number; seconds: number; settings?: Readonly<Record<string, string>> },
): Promise<LatencyResult> {
  const name = `${ctx.runId}_latency`;
  const partitions = ctx.options.partitions;
  await createTopic(ctx.kafka, name, partitions);
  const target = { topic: name, group: name, table: name, workerId: name };
  const flushAgeMs = benchWorkerConfig(ctx, target).batch.maxAgeMs;
  const fleet = WorkerFleet.start({
    count: 1,
    name,
    dir: ctx.dir,
    envOf: () => benchWorkerEnv(ctx, target, options.settings),
  });
  const watch = new ProcessWatch(fleet.pids);
  const admin = ctx.kafka.admin();
  const producer = ctx.kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  try {
    await admin.connect();
    await waitForStableGroup(admin, name, 1, { timeoutMs: 120_000, fleet });
    await producer.connect();
    const tracker = new LandingTracker();
    let producing = true;
    let produced = 0;
    let pollError: string | undefined;
    const poller = (async () => {
      // After the last send, wait for the rest at most the flush age plus a minute.
      let stoppedAt: number | undefined;
      const waiting = (): boolean => {
        if (producing) return true;
        stoppedAt ??= performance.now();
        return tracker.seen < produced && performance.now() < stoppedAt + flushAgeMs + 60_000;
      };
      while (waiting()) {
        fleet.assertRunning();
        watch.sample();
        const rows = await pollLanded(ctx, name, tracker.pendingCondition(partitions)).catch(
          (err: unknown) => {
            pollError = err instanceof Error ? err.message : String(err);
            return [];
          },
        );
        tracker.observe(rows, Date.now());
        await sleep(POLL_MS);
      }
    })();
    poller.catch(() => undefined); // awaited below; a failure must not go unhandled meanwhile

    const generator = new BenchEventGenerator({ seed: 47, endMs: Date.now() });
    const inFlight = new Set<Promise<unknown>>();
    const started = performance.now();
    const startedMs = Date.now();
    const durationMs = options.seconds * 1000;
    try {
      for (let elapsed = 0; elapsed < durationMs; elapsed = performance.now() - started) {
        const due = Math.floor((options.rate * elapsed) / 1000) - produced;
        if (due > 0 && inFlight.size < SENDS_IN_FLIGHT) {
          const messages: Message[] = [];
          for (let i = 0; i < due; i++) {
            const event = generator.next(Date.now());
            messages.push({ key: event.distinct_id, value: JSON.stringify(event) });
          }
          produced += due;
          const send = producer.send({
            topic: name,
            acks: 1,
            compression: CompressionTypes.None,
            messages,
          });
          inFlight.add(send);
          void send.finally(() => inFlight.delete(send)).catch(() => undefined);
        }
        await sleep(TICK_MS);
      }
      await Promise.all(inFlight);
    } finally {
      producing = false;
    }
    const producedSeconds = (performance.now() - started) / 1000;
    await poller;
    if (tracker.seen < produced) {
      throw new Error(
        `latency: only ${tracker.seen} of ${produced} events became visible${pollError === undefined ? '' : ` (last poll error: ${pollError})`}`,
      );
    }
    const warmupSeconds = Math.max(1, options.seconds / 10);
    const latencies = tracker.latencies(startedMs + warmupSeconds * 1000);
    return {
      targetRate: options.rate,
      achievedRate: Math.round(produced / producedSeconds),
      produced,
      measured: latencies.length,
      seconds: round(producedSeconds, 1),
      warmupSeconds,
      pollIntervalMs: POLL_MS,
      flushAgeMs,
      p50Ms: percentile(latencies, 50),
      p95Ms: percentile(latencies, 95),
      p99Ms: percentile(latencies, 99),
      maxMs: percentile(latencies, 100),
      peakRssMiB: Math.round(watch.peakRssMiB),
    };
  } finally {
    await producer.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    await fleet.stop();
    await dropSchema(ctx, name);
  }
}

async function pollLanded(
  ctx: BenchContext,
  table: string,
  condition: string,
): Promise<LandedRow[]> {
  const result = await ctx.clickhouse.query({
    query: `SELECT _partition, _offset, toUnixTimestamp64Milli(timestamp) FROM ${table} WHERE ${condition}`,
    format: 'JSONCompactEachRow',
  });
  const rows = await result.json<[number, string, string]>();
  return rows.map(([partition, offset, ms]) => ({
    partition: Number(partition),
    offset: Number(offset),
    producedMs: Number(ms),
  }));
}
