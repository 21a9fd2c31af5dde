/**
 * `npm test`: starts the stack once (real Kafka + ClickHouse + PostgreSQL, or testcontainers with
 * HANZO_STACK=testcontainers), runs every test file with Node's test runner against it,
 * and stops the stack whatever happens (failure, Ctrl-C, SIGTERM).
 *
 *   npm test                       # unit + integration
 *   npm test -- test/unit          # only some paths
 */
import { spawn } from 'node:child_process';
import { globSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack } from './stack/local-stack.ts';

const DEFAULT_PATTERNS = [
  'test/static/**/*.test.ts',
  'test/unit/**/*.test.ts',
  'test/integration/**/*.test.ts',
];

const args = process.argv.slice(2);
const patterns =
  args.length > 0
    ? args.map((a) => (a.endsWith('.ts') ? a : `${a.replace(/\/$/, '')}/**/*.test.ts`))
    : DEFAULT_PATTERNS;
const needsStack = patterns.some((p) => p.startsWith('test/integration'));

const dir = mkdtempSync(join(tmpdir(), 'hanzo-ingest-test-'));
const started = Date.now();
const stack = needsStack ? await startStack({ dir, postgres: true }) : undefined;
if (stack !== undefined) {
  console.log(
    `stack (${stack.provider}) ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${JSON.stringify(stack.env())}`,
  );
}

/**
 * Test files that load the shared ClickHouse for minutes (geo-default: 13.7 M networks, ~3 GB)
 * run alone, after the others: beside them, every other test's queries would wait behind that
 * load and could time out, which is the machine's condition, not the code's.
 */
const RUN_ALONE = new Set(['test/integration/kafka-engine/geo-default.test.ts']);
const files = [...new Set(patterns.flatMap((p) => globSync(p)))].sort();
const shared = files.filter((f) => !RUN_ALONE.has(f));
const alone = files.filter((f) => RUN_ALONE.has(f));

let child: ReturnType<typeof spawn> | undefined;
function runTests(list: readonly string[], concurrency: string): Promise<number> {
  if (list.length === 0) return Promise.resolve(0);
  const run = spawn(
    process.execPath,
    [
      '--disable-warning=TimeoutNegativeWarning',
      '--test',
      '--test-reporter=spec',
      `--test-concurrency=${concurrency}`,
      '--test-timeout=600000',
      ...list,
    ],
    { stdio: 'inherit', env: { ...process.env, ...(stack?.env() ?? {}), HANZO_TEST_DIR: dir } },
  );
  child = run;
  return new Promise((resolve) => {
    run.on('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
  });
}

let stopping = false;
async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    await stack?.stop().catch((err: unknown) => console.error('stopping the stack failed:', err));
    rmSync(dir, { recursive: true, force: true });
  }
  process.exit(code);
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    child?.kill(signal);
    void shutdown(130);
  });
}
const sharedCode = await runTests(shared, process.env['TEST_CONCURRENCY'] ?? '2');
const aloneCode = await runTests(alone, '1');
await shutdown(sharedCode !== 0 ? sharedCode : aloneCode);
