import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { ChaosEnv, Scenario } from '../../chaos/harness/scenario.ts';
import { reportOf, type ScenarioReport } from '../../chaos/harness/verdict.ts';

/** The short matrix runs at this fraction of the full run's event counts. */
export const SHORT_SCALE = 0.2;

/**
 * Runs one chaos scenario against the test stack (no service restarts: other test files
 * share it) and asserts its verdict: nothing lost, nothing duplicated in events or rollups,
 * offsets committed to the log end, no unexpected worker exit, the scenario's own checks.
 */
export async function runScenario(t: TestContext, scenario: Scenario): Promise<ScenarioReport> {
  const lines: string[] = [];
  // Progress also goes to a file beside the workers' logs: the test reporter shows it only at the end.
  const progress = join(process.env['HANZO_TEST_DIR'] ?? tmpdir(), `chaos-${scenario.name}.log`);
  const log = (line: string): void => {
    lines.push(line);
    appendFileSync(progress, `${new Date().toISOString()} ${line}\n`);
  };
  const env: ChaosEnv = { scale: SHORT_SCALE, services: undefined, log };
  log(`▶ ${scenario.name}: ${scenario.fault}`);
  const started = Date.now();
  const report = reportOf(scenario, await scenario.run(env), (Date.now() - started) / 1000);
  for (const c of report.checks)
    t.diagnostic(`${c.ok ? 'ok' : 'FAILED'} ${c.name} ${c.detail ?? ''}`);
  t.diagnostic(
    `produced ${report.produced}, landed ${report.landed}, DLQ ${report.deadLetters}, lost ${report.lost}, duplicated ${report.duplicated}, peak RSS ${report.peakRssMiB} MiB, ${report.seconds} s`,
  );
  assert.equal(report.lost, 0, 'nothing lost');
  assert.equal(report.duplicated, 0, 'nothing duplicated');
  assert.ok(report.produced > 0 && report.landed > 0, 'the scenario moved data');
  assert.deepEqual(report.failures, [], `${scenario.name} failed:\n${lines.join('\n')}`);
  assert.equal(report.verdict, 'pass');
  return report;
}
