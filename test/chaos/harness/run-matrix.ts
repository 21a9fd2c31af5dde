import type { ChaosEnv, Scenario } from './scenario.ts';
import { reportOf, type ScenarioReport } from './verdict.ts';

/** Runs scenarios one after another; a scenario that throws is an `error` row, not the end. */
export async function runMatrix(
  scenarios: readonly Scenario[],
  env: ChaosEnv,
): Promise<ScenarioReport[]> {
  const reports: ScenarioReport[] = [];
  for (const scenario of scenarios) {
    const started = Date.now();
    const seconds = (): number => (Date.now() - started) / 1000;
    if (scenario.needsServices === true && env.services === undefined) {
      reports.push(emptyReport(scenario, 'skipped', 'needs to stop and start the stack', 0));
      continue;
    }
    env.log(`▶ ${scenario.name}: ${scenario.fault}`);
    try {
      const report = reportOf(scenario, await scenario.run(env), seconds());
      env.log(
        `  ${report.verdict.toUpperCase()} in ${report.seconds} s${report.failures.length > 0 ? `: ${report.failures.join('; ')}` : ''}`,
      );
      reports.push(report);
    } catch (err) {
      const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
      env.log(`  ERROR: ${message}`);
      reports.push(emptyReport(scenario, 'error', message, seconds()));
    }
  }
  return reports;
}

function emptyReport(
  scenario: Scenario,
  verdict: 'skipped' | 'error',
  why: string,
  seconds: number,
): ScenarioReport {
  return {
    scenario: scenario.name,
    fault: scenario.fault,
    produced: 0,
    landed: 0,
    deadLetters: 0,
    lost: 0,
    duplicated: 0,
    peakRssMiB: 0,
    seconds: Math.round(seconds),
    verdict,
    failures: verdict === 'error' ? [why] : [],
    checks: [],
    notes: verdict === 'skipped' ? [why] : [],
  };
}
