/**
 * `npm run chaos`: the fault-injection matrix. Starts its own Kafka and ClickHouse (so it
 * can stop and restart them), runs each scenario against several real worker processes,
 * and prints, per scenario, what was produced, landed, dead-lettered, lost and duplicated,
 * the workers' peak RSS and the verdict. Exits non-zero when any scenario fails.
 *
 *   npm run chaos                                   # the full matrix
 *   npm run chaos -- --only baseline,zombie         # some scenarios
 *   npm run chaos -- --scale 0.25                   # fewer events (quicker, weaker)
 *   npm run chaos -- --json chaos-results.json      # also write the table as JSON
 *   npm run chaos -- --list                         # the scenarios and their faults
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startStack } from '../stack/local-stack.ts';
import { formatDetails, formatTable } from './harness/report-table.ts';
import { runMatrix } from './harness/run-matrix.ts';
import { SCENARIOS } from './scenarios/index.ts';

const { values: flags } = parseArgs({
  options: {
    json: { type: 'string' },
    only: { type: 'string' },
    scale: { type: 'string', default: '1' },
    list: { type: 'boolean', default: false },
    'keep-logs': { type: 'boolean', default: false },
  },
});

if (flags.list) {
  for (const s of SCENARIOS) console.log(`${s.name.padEnd(22)} ${s.fault}`);
  process.exit(0);
}
const scale = Number(flags.scale);
if (!(scale > 0)) throw new Error(`--scale must be a positive number, got ${flags.scale}`);
const only = flags.only
  ?.split(',')
  .map((s) => s.trim())
  .filter((s) => s !== '');
const unknown = (only ?? []).filter((name) => !SCENARIOS.some((s) => s.name === name));
if (unknown.length > 0) {
  throw new Error(`unknown scenario(s): ${unknown.join(', ')} (see --list)`);
}
const selected = SCENARIOS.filter((s) => only === undefined || only.includes(s.name));

const dir = mkdtempSync(join(tmpdir(), 'hanzo-chaos-'));
const started = Date.now();
const stack = await startStack({ dir });
Object.assign(process.env, stack.env(), { HANZO_TEST_DIR: dir });
console.log(
  `stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s (Kafka ${stack.kafka.version}, ClickHouse ${stack.clickhouse.version}); logs in ${dir}`,
);

let failed = true;
let stopping = false;
async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    await stack.stop().catch((err: unknown) => console.error('stopping the stack failed:', err));
    if (code === 0 && !flags['keep-logs']) rmSync(dir, { recursive: true, force: true });
    else console.log(`logs kept in ${dir}`);
  }
  process.exit(code);
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void shutdown(130));

try {
  const reports = await runMatrix(selected, {
    scale,
    services: { kafka: stack.kafka, clickhouse: stack.clickhouse },
    log: (line) => console.log(line),
  });
  console.log(`\n${formatTable(reports)}\n`);
  const details = formatDetails(reports);
  if (details !== '') console.log(`${details}\n`);
  const minutes = ((Date.now() - started) / 60_000).toFixed(1);
  console.log(`${reports.length} scenarios in ${minutes} min at scale ${scale}`);
  if (flags.json !== undefined) {
    const run = {
      date: new Date().toISOString(),
      scale,
      minutes: Number(minutes),
      machine: { cpus: cpus().length, node: process.version },
      stack: { kafka: stack.kafka.version, clickhouse: stack.clickhouse.version },
      scenarios: reports,
    };
    writeFileSync(flags.json, `${JSON.stringify(run, null, 2)}\n`);
  }
  failed = reports.some((r) => r.verdict === 'fail' || r.verdict === 'error');
} finally {
  await shutdown(failed ? 1 : 0);
}
