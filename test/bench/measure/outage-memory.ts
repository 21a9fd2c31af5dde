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
import { ProcessWatch, sampleProcess } from './proc-stats.ts';
import { WorkerFleet, waitForStableGroup } from './worker-fleet.ts';

export interface OutageRun {
  readonly events: number;
  readonly outageSeconds: number;
  /** Rows that had landed when ClickHouse went down. */
  readonly landedBeforeOutage: number;
  /** Highest VmRSS sampled while ClickHouse was down. */
  readonly peakRssDuringOutageMiB: number;
  /** VmHWM over the whole run: backlog, outage, catch-up. */
  readonly peakRssMiB: number;
  /** From ClickHouse back to every row landed. */
  readonly recoverySeconds: number;
  readonly duplicates: number;
}

/**
 * Peak memory with a ClickHouse outage in the middle of draining a backlog: one worker
 * with the run's settings drains the corpus; once a tenth has landed ClickHouse is stopped
 * for `outageSeconds` (the worker keeps consuming until its buffers are full and pauses),
 * then started again; every event must still land exactly once.
 */
export async function measureOutageMemory(
  ctx: BenchContext,
  options: {
    topic: string;
    events: number;
    outageSeconds: number;
    settings?: Readonly<Record<string, string>>;
  },
): Promise<OutageRun> {
  const name = `${ctx.runId}_outage`;
  const fleet = WorkerFleet.start({
    count: 1,
    name,
    dir: ctx.dir,
    envOf: () =>
      benchWorkerEnv(
        ctx,
        { topic: options.topic, group: name, table: name, workerId: name },
        options.settings,
      ),
  });
  const pid = fleet.pids[0]!;
  const watch = new ProcessWatch(fleet.pids);
  const admin = ctx.kafka.admin();
  let clickhouseDown = false;
  try {
    await admin.connect();
    return await withTimeout(
      `outage ${name}`,
      ctx.options.phaseTimeoutMs,
      (async (): Promise<OutageRun> => {
        await waitForStableGroup(admin, name, 1, { timeoutMs: 120_000, fleet });
        let landed = 0;
        while (landed < options.events / 10) {
          await sleep(50);
          fleet.assertRunning();
          landed = await countRows(ctx.clickhouse, name).catch(() => landed);
        }
        ctx.log(`outage: ClickHouse down for ${options.outageSeconds} s after ${landed} rows`);
        clickhouseDown = true;
        await ctx.stack.clickhouse.stop();
        let peakDuringOutage = 0;
        const downUntil = performance.now() + options.outageSeconds * 1000;
        while (performance.now() < downUntil) {
          fleet.assertRunning();
          peakDuringOutage = Math.max(peakDuringOutage, sampleProcess(pid)?.rssKiB ?? 0);
          watch.sample();
          await sleep(100);
        }
        await ctx.stack.clickhouse.start();
        clickhouseDown = false;
        const backAt = performance.now();
        let total = 0;
        while (total < options.events) {
          await sleep(100);
          fleet.assertRunning();
          watch.sample();
          total = await countRows(ctx.clickhouse, name).catch(() => total);
        }
        const recoverySeconds = (performance.now() - backAt) / 1000;
        watch.sample();
        const counts = await landedCounts(ctx.clickhouse, name);
        if (counts.unique !== options.events) {
          throw new Error(`${name}: ${counts.unique} distinct events, expected ${options.events}`);
        }
        return {
          events: options.events,
          outageSeconds: options.outageSeconds,
          landedBeforeOutage: landed,
          peakRssDuringOutageMiB: Math.round(peakDuringOutage / 1024),
          peakRssMiB: Math.round(watch.peakRssMiB),
          recoverySeconds: round(recoverySeconds, 1),
          duplicates: counts.rows - counts.unique,
        };
      })(),
    );
  } finally {
    if (clickhouseDown) await ctx.stack.clickhouse.start();
    await admin.disconnect().catch(() => undefined);
    await fleet.stop();
    await dropSchema(ctx, name);
  }
}
