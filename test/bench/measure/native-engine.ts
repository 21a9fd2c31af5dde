import type { ClickHouseClient } from '@clickhouse/client';
import {
  benchWorkerEnv,
  countRows,
  dropSchema,
  landedCounts,
  sleep,
  withTimeout,
  type BenchContext,
} from '../bench-context.ts';
import { drainRate, type DrainRate, type LandingSample } from './drain-rate.ts';
import { ServerCpu } from './proc-stats.ts';
import { dropNativeObjects, kafkaConsumerState, kafkaTables } from './native-objects.ts';
import { POLL_MS } from './worker-drain.ts';
import { WorkerFleet, logTail } from './worker-fleet.ts';

export interface NativeRun {
  readonly events: number;
  /** Steady-state rate, as for the worker (see drainRate). */
  readonly eventsPerSecond: number;
  readonly rateBasis: DrainRate['basis'];
  /** From the Kafka engine table existing to the last row visible. */
  readonly seconds: number;
  readonly fullDrainEventsPerSecond: number;
  /** CPU of the ClickHouse process (which does all the work here), per million events. */
  readonly clickhouseCpuSecondsPerMillion: number | undefined;
  readonly duplicates: number;
}

/** The native path could not be measured here, and why. */
export class NativeUnavailable extends Error {
  override readonly name = 'NativeUnavailable';
}

/** How long `mode: kafka-engine` may take to create its Kafka engine table. */
// With geo on, the apply first loads the ip_trie data of the bundled databases (13.7 M
// networks: about 4 minutes on the 2-core test machine, docs/kafka-engine.md).
const SETUP_TIMEOUT_MS = 600_000;
/**
 * How long the engine may land nothing at all before the path counts as not working. Its first
 * block through the geo and user-agent dictionaries can take minutes with 1M events queued on
 * two cores: 90 s stopped a 1M repetition that had read 521,509 messages (BENCHMARKS.md).
 */
const FIRST_ROW_TIMEOUT_MS = 300_000;

/**
 * The same corpus through `mode: kafka-engine`: the project's own `hanzo-ingest run` with
 * INGEST_MODE=kafka-engine applies the native DDL (Kafka engine table + materialized view
 * into a fresh events table), and ClickHouse consumes. Measured from the Kafka engine
 * table appearing to every row visible. Throws NativeUnavailable, with the reason, when
 * the mode creates no Kafka engine table or the engine lands nothing.
 */
export async function measureNativeEngine(
  ctx: BenchContext,
  topic: string,
  events: number,
  repetition: number,
): Promise<NativeRun> {
  const name = `${ctx.runId}_native_r${repetition}`;
  const fleet = WorkerFleet.start({
    count: 1,
    name,
    dir: ctx.dir,
    envOf: () =>
      benchWorkerEnv(
        ctx,
        { topic, group: name, table: name, workerId: name },
        { INGEST_MODE: 'kafka-engine' },
      ),
  });
  const servers = new ServerCpu(ctx.stackPids);
  try {
    // The set-up (with geo on, loading 13.7 M networks into ClickHouse) has its own bound;
    // the phase bound (--phase-timeout) applies to the drain, as for the worker.
    const startedAt = await waitForKafkaTable(ctx.clickhouse, fleet, [topic, name]);
    return await withTimeout(
      `native ${name}`,
      ctx.options.phaseTimeoutMs,
      (async function run() {
        servers.start();
        let landed = 0;
        const samples: LandingSample[] = [];
        for (;;) {
          landed = await countRows(ctx.clickhouse, name).catch(() => landed);
          samples.push({ atMs: performance.now(), landed });
          if (landed >= events) break;
          if (landed === 0 && performance.now() - startedAt > FIRST_ROW_TIMEOUT_MS) {
            throw new NativeUnavailable(
              `the Kafka engine table exists but no row reached ${name} in ${FIRST_ROW_TIMEOUT_MS / 1000} s (${await kafkaConsumerState(ctx.clickhouse, name)})`,
            );
          }
          await sleep(POLL_MS);
        }
        const cpu = servers.stop(events);
        const rate = drainRate(samples, { atMs: startedAt, landed: 0 }, events);
        const counts = await landedCounts(ctx.clickhouse, name);
        return {
          events,
          eventsPerSecond: rate.eventsPerSecond,
          rateBasis: rate.basis,
          seconds: rate.fullSeconds,
          fullDrainEventsPerSecond: rate.fullEventsPerSecond,
          clickhouseCpuSecondsPerMillion: cpu.clickhouseCpuSecondsPerMillion,
          duplicates: counts.rows - counts.unique,
        };
      })(),
    );
  } finally {
    await fleet.stop();
    await dropNativeObjects(ctx.clickhouse, [topic, name], name);
    await dropSchema(ctx, name);
  }
}

async function waitForKafkaTable(
  clickhouse: ClickHouseClient,
  fleet: WorkerFleet,
  marks: readonly string[],
): Promise<number> {
  const deadline = performance.now() + SETUP_TIMEOUT_MS;
  for (;;) {
    const tables = await kafkaTables(clickhouse, marks).catch(() => []);
    if (tables.length > 0) return performance.now();
    const process = fleet.processes[0]!;
    if (!process.running) {
      throw new NativeUnavailable(
        `INGEST_MODE=kafka-engine exited before creating a Kafka engine table: ${lastErrorLine(process.logFile)}`,
      );
    }
    const landed = await countRows(clickhouse, marks[1]!).catch(() => 0);
    if (landed > 0) {
      throw new NativeUnavailable(
        'INGEST_MODE=kafka-engine ran the Node worker instead (rows landed, no Kafka engine table): the native mode is not implemented yet',
      );
    }
    if (performance.now() > deadline) {
      throw new NativeUnavailable(
        `INGEST_MODE=kafka-engine created no Kafka engine table in ${SETUP_TIMEOUT_MS / 1000} s`,
      );
    }
    await sleep(200);
  }
}

function lastErrorLine(logFile: string): string {
  const tail = logTail(logFile, 40).split('\n');
  return (
    tail.reverse().find((l) => /error|fatal|not implemented|unsupported/i.test(l)) ??
    tail[0] ??
    '(no log)'
  ).slice(0, 500);
}
