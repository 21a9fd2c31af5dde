/**
 * `npm run bench`: throughput, latency and memory of the worker on the local stack, side by
 * side with the machine's own limits (Kafka consume, ClickHouse insert) and the native
 * Kafka-engine path, in one run. Preloads a realistic corpus, measures each part with
 * repetitions, prints a table with medians, ratios and the targets.
 *
 *   npm run bench                          # 1,000,000 events, 3 repetitions (~22 min)
 *   npm run bench -- --quick               # 100,000 events, 2 repetitions
 *   npm run bench -- --json out.json --markdown BENCHMARKS.md
 *   npm run bench -- --quick --profile .profiles   # one 1-worker drain under --cpu-prof
 *   npm run bench -- --from-json out.json --markdown BENCHMARKS.md   # re-render, no measuring
 *   npm run bench -- --help
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack } from '../stack/local-stack.ts';
import type { Stack } from '../stack/types.ts';
import {
  benchWorkerConfig,
  createBenchClients,
  newRunId,
  type BenchContext,
} from './bench-context.ts';
import { BenchUsageError, parseBenchOptions, type BenchOptions } from './bench-options.ts';
import { MIX } from './corpus/bench-events.ts';
import {
  createTopic,
  deleteRunTopics,
  preloadCorpus,
  topicSize,
  type CorpusSpec,
} from './corpus/preload-corpus.ts';
import { profileWorkerDrain } from './measure/profile-drain.ts';
import { findStackPids } from './measure/stack-processes.ts';
import { describeMachine, machineInfo } from './report/machine.ts';
import { loadSavedReport, publishReport } from './report/publish-report.ts';
import { benchSettings } from './report/write-outputs.ts';
import { runBench } from './run-bench.ts';
import { connectRunningStack } from './running-stack.ts';

let options: BenchOptions;
try {
  options = parseBenchOptions(process.argv.slice(2), process.env);
} catch (err) {
  if (!(err instanceof BenchUsageError)) throw err;
  console.error(err.message);
  process.exit(2);
}

const startedAt = performance.now();
if (options.fromJson !== undefined) {
  // Re-render a saved run (e.g. into BENCHMARKS.md) without measuring anything.
  await publishReport(loadSavedReport(options.fromJson), options, (t) => console.error(t));
  process.exit(0);
}
const log = (text: string): void =>
  console.error(
    `[bench ${((performance.now() - startedAt) / 1000).toFixed(0).padStart(4)} s] ${text}`,
  );
const dir = mkdtempSync(join(tmpdir(), 'hanzo-bench-'));
let stack: Stack | undefined;
let keepDir = false;
let cleaning: Promise<void> | undefined;
const cleanUp = (): Promise<void> =>
  (cleaning ??= (async () => {
    await stack?.stop().catch((err: unknown) => console.error('stopping the stack failed:', err));
    if (keepDir) log(`logs kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  })());
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    log(`${signal}: stopping workers and the stack`);
    keepDir = true;
    // Workers are children started through setpriv --pdeathsig: they go with us.
    void cleanUp().then(() => process.exit(130));
  });
}

try {
  log(
    options.stackEnvFile === undefined
      ? 'starting Kafka and ClickHouse'
      : `using the stack in ${options.stackEnvFile}`,
  );
  stack =
    options.stackEnvFile === undefined
      ? await startStack({ dir: join(dir, 'stack') })
      : await connectRunningStack(options.stackEnvFile);
  const { kafka, clickhouse } = createBenchClients(stack);
  const runId = newRunId();
  const ctx: BenchContext = {
    options,
    stack,
    dir,
    runId,
    kafka,
    clickhouse,
    corpusTopic: `${runId}_events`,
    dlqTopic: `${runId}_dlq`,
    stackPids: findStackPids(stack),
    log,
  };
  // The worker settings every run uses: a bad --worker-env stops the bench here, once.
  const workerConfig = benchWorkerConfig(ctx, {
    topic: ctx.corpusTopic,
    group: 'g',
    table: 't',
    workerId: 'w',
  });
  const machine = machineInfo(stack);
  log(describeMachine(machine));

  await createTopic(kafka, ctx.corpusTopic, options.partitions);
  await createTopic(kafka, ctx.dlqTopic, 1);
  const spec: CorpusSpec = { seed: 8, endMs: Date.now(), events: options.events };
  log(
    `preloading ${spec.events.toLocaleString('en-US')} events into ${ctx.corpusTopic} (${options.partitions} partitions)`,
  );
  const preload = await preloadCorpus(kafka, ctx.corpusTopic, spec);
  const held = await topicSize(kafka, ctx.corpusTopic);
  if (held !== spec.events)
    throw new Error(`the corpus topic holds ${held} events, expected ${spec.events}`);
  log(
    `preloaded at ${preload.eventsPerSecond.toLocaleString('en-US')} events/s (${preload.megabytesPerSecond} MB/s, ${preload.averageEventBytes} B/event)`,
  );

  if (options.profileDir !== undefined) {
    const profile = await profileWorkerDrain(ctx, {
      profileDir: options.profileDir,
      topic: ctx.corpusTopic,
      events: spec.events,
    });
    console.log(
      `1-worker drain under --cpu-prof: ${profile.run.eventsPerSecond.toLocaleString('en-US')} events/s (profiling slows it)`,
    );
    console.log(`profiles: ${profile.profiles.join(', ')}\n`);
    console.log(profile.report);
  } else {
    const { results, variants, failed } = await runBench(ctx, spec);
    results.preload = preload;
    await publishReport(
      {
        date: new Date().toISOString(),
        command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
        machine,
        settings: benchSettings(options, workerConfig),
        corpus: { ...spec, mix: MIX },
        variants,
        results,
      },
      options,
      log,
    );
    if (failed) {
      keepDir = true;
      process.exitCode = 1;
    }
  }
  if (options.stackEnvFile !== undefined) await deleteRunTopics(kafka, runId);
  await clickhouse.close();
} catch (err) {
  keepDir = true;
  console.error('[bench] failed:', err);
  process.exitCode = 1;
} finally {
  await cleanUp();
  log('done');
}
