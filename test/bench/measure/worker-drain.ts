import {
  benchWorkerEnv,
  countRows,
  dropSchema,
  landedCounts,
  sleep,
  withTimeout,
  type BenchContext,
} from '../bench-context.ts';
import { round } from '../corpus/preload-corpus.ts';
import { drainRate, type DrainRate, type LandingSample } from './drain-rate.ts';
import { ProcessWatch, ServerCpu } from './proc-stats.ts';
import { WorkerFleet, waitForStableGroup } from './worker-fleet.ts';

export interface DrainSpec {
  /** Names the run's group and table, e.g. `w1_on`. */
  readonly label: string;
  readonly repetition: number;
  readonly workers: number;
  readonly topic: string;
  readonly events: number;
  /** Worker settings of this run on top of the bench's (the enrichment switch). */
  readonly settings?: Readonly<Record<string, string>>;
  readonly nodeArgs?: readonly string[];
}

export interface DrainRun {
  readonly workers: number;
  readonly events: number;
  /** Steady-state rate (see drainRate): what the table reports. */
  readonly eventsPerSecond: number;
  readonly rateBasis: DrainRate['basis'];
  /** From the group being Stable with every worker to the last row visible. */
  readonly drainSeconds: number;
  readonly fullDrainEventsPerSecond: number;
  /** Process start to group Stable: start-up and join, excluded from the rate. */
  readonly startupSeconds: number;
  /** Highest VmHWM of the workers. */
  readonly peakRssMiB: number;
  /** Worker CPU (user + system, all workers) during the drain, per million events. */
  readonly cpuSecondsPerMillion: number;
  /** CPU of the ClickHouse endpoint and of the broker during the drain, per million events. */
  readonly clickhouseCpuSecondsPerMillion: number | undefined;
  readonly kafkaCpuSecondsPerMillion: number | undefined;
  /** Rows landed beyond the corpus (must be 0: inserts are deduplicated). */
  readonly duplicates: number;
  readonly table: string;
}

/**
 * How often the landed count is read. Each count() costs ClickHouse about 2 ms of CPU
 * (measured on the local stack), which the drain's ClickHouse CPU per event carries: at
 * 100 ms that was ~1 µs per event of the bench's own, at 250 ms it is ~0.4.
 */
export const POLL_MS = 250;
/** A drain with no new row for this long is stuck (or the box is hopelessly overloaded). */
const STALL_MS = 120_000;

/**
 * Fresh group, fresh table: `workers` worker processes drain the preloaded backlog.
 * Time counts from the group being Stable with every worker (process start-up and the
 * join are reported separately); the rate is the steady-state one of drainRate, the full
 * drain (last partial batches waiting for the flush age) is reported beside it.
 */
export async function measureWorkerDrain(ctx: BenchContext, spec: DrainSpec): Promise<DrainRun> {
  const name = `${ctx.runId}_${spec.label}_r${spec.repetition}`;
  const spawnedAt = performance.now();
  const fleet = WorkerFleet.start({
    count: spec.workers,
    name,
    dir: ctx.dir,
    nodeArgs: spec.nodeArgs ?? [],
    envOf: (i) =>
      benchWorkerEnv(
        ctx,
        { topic: spec.topic, group: name, table: name, workerId: `${name}-w${i + 1}` },
        spec.settings,
      ),
  });
  const watch = new ProcessWatch(fleet.pids);
  const servers = new ServerCpu(ctx.stackPids);
  const admin = ctx.kafka.admin();
  await admin.connect();
  try {
    return await withTimeout(
      `worker drain ${name}`,
      ctx.options.phaseTimeoutMs,
      (async (): Promise<DrainRun> => {
        const settledAt = await waitForStableGroup(admin, name, spec.workers, {
          timeoutMs: 120_000,
          fleet,
        });
        watch.sample();
        servers.start();
        const cpuAtStart = watch.cpuSeconds;
        const start = {
          atMs: settledAt,
          landed: await countRows(ctx.clickhouse, name).catch(() => 0),
        };
        const samples: LandingSample[] = [];
        let lastProgressAt = settledAt;
        let landed = start.landed;
        while (landed < spec.events) {
          await sleep(POLL_MS);
          fleet.assertRunning();
          watch.sample();
          const before = landed;
          landed = await countRows(ctx.clickhouse, name).catch(() => landed);
          samples.push({ atMs: performance.now(), landed });
          if (landed > before) lastProgressAt = performance.now();
          if (performance.now() - lastProgressAt > STALL_MS) {
            throw new Error(
              `${name}: no row landed for ${STALL_MS / 1000} s (${landed} of ${spec.events} after ${((performance.now() - settledAt) / 1000).toFixed(0)} s); worker logs in ${ctx.dir}`,
            );
          }
        }
        watch.sample();
        const serverCpu = servers.stop(spec.events);
        const rate = drainRate(samples, start, spec.events);
        const counts = await landedCounts(ctx.clickhouse, name);
        if (counts.unique !== spec.events) {
          throw new Error(
            `${name}: ${counts.unique} distinct events landed, expected ${spec.events}`,
          );
        }
        return {
          workers: spec.workers,
          events: spec.events,
          eventsPerSecond: rate.eventsPerSecond,
          rateBasis: rate.basis,
          drainSeconds: rate.fullSeconds,
          fullDrainEventsPerSecond: rate.fullEventsPerSecond,
          startupSeconds: round((settledAt - spawnedAt) / 1000, 2),
          peakRssMiB: Math.round(watch.peakRssMiB),
          cpuSecondsPerMillion: round(((watch.cpuSeconds - cpuAtStart) / spec.events) * 1e6, 1),
          ...serverCpu,
          duplicates: counts.rows - counts.unique,
          table: name,
        };
      })(),
    );
  } finally {
    await admin.disconnect();
    await fleet.stop();
    await dropSchema(ctx, name);
  }
}
