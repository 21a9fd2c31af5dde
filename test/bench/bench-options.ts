import { parseArgs } from 'node:util';

/** What one `npm run bench` run does; parsed once from the command line and environment. */
export interface BenchOptions {
  /** Events in the preloaded corpus. */
  readonly events: number;
  /** Repetitions of every throughput measurement (medians are reported). */
  readonly repeat: number;
  readonly partitions: number;
  /** Seconds of produce-to-queryable measurement at half capacity (0: skip). */
  readonly latencySeconds: number;
  /** Seconds ClickHouse is down during the memory-under-outage run (0: skip). */
  readonly outageSeconds: number;
  /** Phases to skip, by name (see PHASES). */
  readonly skip: ReadonlySet<Phase>;
  /** Settings passed to every worker process (and used by the limit measurements). */
  readonly workerEnv: Readonly<Record<string, string>>;
  readonly jsonFile: string | undefined;
  /** Write the report as Markdown (between the bench markers when the file has them). */
  readonly markdownFile: string | undefined;
  /** Render the report of a saved `--json` file instead of measuring. */
  readonly fromJson: string | undefined;
  /** Produce rate of the latency run; default: half the measured 1-worker rate. */
  readonly latencyRate: number | undefined;
  /** Write CPU profiles of a 1-worker drain here and print the top self-time functions. */
  readonly profileDir: string | undefined;
  /** An already running stack (`npm run stack` env file) instead of starting one. */
  readonly stackEnvFile: string | undefined;
  /** Longest any single measurement may take before the bench fails it. */
  readonly phaseTimeoutMs: number;
}

export const PHASES = [
  'consume',
  'kafka-tool',
  'insert',
  'enrich',
  'worker',
  'worker-2',
  'native',
  'latency',
  'outage',
] as const;
export type Phase = (typeof PHASES)[number];

export class BenchUsageError extends Error {
  override readonly name = 'BenchUsageError';
}

export const USAGE = `npm run bench -- [options]
  --events N          corpus size (default 1000000; env BENCH_EVENTS)
  --quick             100,000 events, 2 repetitions, 10 s latency run
  --repeat N          repetitions per measurement, medians reported (default 3; env BENCH_REPEAT)
  --partitions N      partitions of the corpus topic (default 6; env BENCH_PARTITIONS)
  --latency-seconds N produce-to-queryable run length (default 30; 0 skips)
  --outage-seconds N  ClickHouse outage during a drain, for peak RSS (default 20; 0 skips)
  --skip a,b          skip phases: ${PHASES.join(', ')}
  --only a,b          run only these phases
  --worker-env K=V    a worker setting for every worker run and the limits (repeatable)
  --json FILE         also write the results as JSON
  --markdown FILE     also write the report as Markdown (e.g. BENCHMARKS.md: replaces the
                      part between <!-- bench:begin --> and <!-- bench:end -->)
  --from-json FILE    measure nothing: print (and --markdown) the report of a saved --json file
  --latency-rate N    events/s of the latency run (default: half the 1-worker drain rate)
  --profile DIR       instead of the bench: one 1-worker drain under --cpu-prof, top functions
  --stack-env FILE    use a running stack (the env file \`npm run stack\` writes)
  --phase-timeout S   fail a measurement that takes longer (default 600; the native
                      path's set-up, loading geo into ClickHouse, has its own bound)`;

/** Parses argv (without node and script) and the BENCH_* environment. */
export function parseBenchOptions(argv: readonly string[], env: NodeJS.ProcessEnv): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      events: { type: 'string' },
      quick: { type: 'boolean', default: false },
      repeat: { type: 'string' },
      partitions: { type: 'string' },
      'latency-seconds': { type: 'string' },
      'outage-seconds': { type: 'string' },
      skip: { type: 'string' },
      only: { type: 'string' },
      'worker-env': { type: 'string', multiple: true },
      json: { type: 'string' },
      markdown: { type: 'string' },
      'from-json': { type: 'string' },
      'latency-rate': { type: 'string' },
      profile: { type: 'string' },
      'stack-env': { type: 'string' },
      'phase-timeout': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) throw new BenchUsageError(USAGE);
  const quick = values.quick;
  const events = positive('--events', values.events ?? env['BENCH_EVENTS'], quick ? 100_000 : 1e6);
  const repeat = positive('--repeat', values.repeat ?? env['BENCH_REPEAT'], quick ? 2 : 3);
  const partitions = positive('--partitions', values.partitions ?? env['BENCH_PARTITIONS'], 6);
  const latencySeconds = nonNegative(
    '--latency-seconds',
    values['latency-seconds'],
    quick ? 10 : 30,
  );
  const outageSeconds = nonNegative('--outage-seconds', values['outage-seconds'], quick ? 10 : 20);
  const phaseTimeoutS = positive('--phase-timeout', values['phase-timeout'], 600);
  if (values.skip !== undefined && values.only !== undefined) {
    throw new BenchUsageError('--skip and --only cannot be combined');
  }
  const only = values.only === undefined ? undefined : phaseList('--only', values.only);
  const skip = new Set<Phase>(
    only === undefined
      ? phaseList('--skip', values.skip ?? '')
      : PHASES.filter((p) => !only.includes(p)),
  );
  return {
    events,
    repeat,
    partitions,
    latencySeconds,
    outageSeconds,
    skip,
    workerEnv: workerEnvPairs(values['worker-env'] ?? []),
    jsonFile: values.json,
    markdownFile: values.markdown,
    fromJson: values['from-json'],
    latencyRate:
      values['latency-rate'] === undefined
        ? undefined
        : positive('--latency-rate', values['latency-rate'], 1),
    profileDir: values.profile,
    stackEnvFile: values['stack-env'],
    phaseTimeoutMs: phaseTimeoutS * 1000,
  };
}

function positive(flag: string, text: string | undefined, fallback: number): number {
  const value = nonNegative(flag, text, fallback);
  if (value === 0) throw new BenchUsageError(`${flag} must be a positive integer`);
  return value;
}

function nonNegative(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  const value = Number(text.replaceAll('_', ''));
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new BenchUsageError(`${flag} must be a non-negative integer, got "${text}"`);
  }
  return value;
}

function phaseList(flag: string, text: string): Phase[] {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const name of names) {
    if (!(PHASES as readonly string[]).includes(name)) {
      throw new BenchUsageError(`${flag}: unknown phase "${name}" (phases: ${PHASES.join(', ')})`);
    }
  }
  return names as Phase[];
}

function workerEnvPairs(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new BenchUsageError(`--worker-env expects KEY=VALUE, got "${pair}"`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}
