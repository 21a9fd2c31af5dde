import type { Measurement } from './measure.ts';
import type { ScenarioOutcome } from './scenario.ts';

export type Verdict = 'pass' | 'fail' | 'skipped' | 'error';

/** One row of the chaos table (and of the JSON report). */
export interface ScenarioReport {
  readonly scenario: string;
  readonly fault: string;
  readonly produced: number;
  readonly landed: number;
  readonly deadLetters: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly peakRssMiB: number;
  readonly seconds: number;
  readonly verdict: Verdict;
  /** Why the verdict is not `pass` (empty when it is). */
  readonly failures: readonly string[];
  readonly checks: ScenarioOutcome['checks'];
  readonly notes: readonly string[];
  readonly measurement?: Measurement;
}

/**
 * Every scenario must end with nothing lost, nothing duplicated (in events and in every
 * rollup), each Kafka message either a row or a dead letter, the group committed to the log
 * end, no worker ending other than intended, and its own checks passing.
 */
export function judge(outcome: ScenarioOutcome): { verdict: Verdict; failures: string[] } {
  const m = outcome.measurement;
  const failures: string[] = [];
  if (m.lost !== 0)
    failures.push(`${m.lost} lost (e.g. ${m.missingSample.slice(0, 5).join(', ')})`);
  if (m.duplicates !== 0) failures.push(`${m.duplicates} duplicated rows (uuid)`);
  if (m.offsetDuplicates !== 0)
    failures.push(`${m.offsetDuplicates} Kafka messages landed more than once`);
  if (m.landedAndDeadLettered !== 0)
    failures.push(`${m.landedAndDeadLettered} messages both landed and dead-lettered`);
  if (!m.committedAtLogEnd) failures.push(`committed offsets ${m.lag} behind the log end`);
  for (const r of m.rollups) if (!r.ok) failures.push(`rollup ${r.rollup} ${r.detail}`);
  failures.push(...outcome.unexpectedExits);
  for (const c of outcome.checks)
    if (!c.ok) failures.push(`${c.name}${c.detail === undefined ? '' : `: ${c.detail}`}`);
  return { verdict: failures.length === 0 ? 'pass' : 'fail', failures };
}

export function reportOf(
  scenario: { name: string; fault: string },
  outcome: ScenarioOutcome,
  seconds: number,
): ScenarioReport {
  const m = outcome.measurement;
  const { verdict, failures } = judge(outcome);
  return {
    scenario: scenario.name,
    fault: scenario.fault,
    produced: m.produced,
    landed: m.landed,
    deadLetters: m.deadLetters,
    lost: m.lost,
    duplicated: m.duplicates,
    peakRssMiB: outcome.peakRssMiB,
    seconds: Math.round(seconds),
    verdict,
    failures,
    checks: outcome.checks,
    notes: outcome.notes,
    measurement: m,
  };
}
