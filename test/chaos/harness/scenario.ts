import type { RestartableService } from '../../stack/types.ts';
import type { Measurement } from './measure.ts';

/** What a scenario runs against. */
export interface ChaosEnv {
  /** Multiplies every scenario's event counts (the full run uses 1). */
  readonly scale: number;
  /**
   * The stack's services, to stop and start them; only when the runner owns the stack
   * (`npm run chaos`), not inside `npm test`, where other tests share it.
   */
  readonly services:
    { readonly kafka: RestartableService; readonly clickhouse: RestartableService } | undefined;
  readonly log: (line: string) => void;
}

/** A scenario-specific assertion (beyond lost / duplicated / committed, which every run checks). */
export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail?: string;
}

export interface ScenarioOutcome {
  readonly measurement: Measurement;
  readonly peakRssMiB: number;
  readonly checks: readonly Check[];
  readonly unexpectedExits: readonly string[];
  /** Facts worth printing (faults injected, timings) that are not pass/fail. */
  readonly notes: readonly string[];
}

export interface Scenario {
  /** Short name for `--only` and the table. */
  readonly name: string;
  /** The injected fault, as the table shows it. */
  readonly fault: string;
  /** Stops and starts Kafka or ClickHouse themselves: needs `env.services`. */
  readonly needsServices?: boolean;
  run(env: ChaosEnv): Promise<ScenarioOutcome>;
}

/** Scales an event count, never below `min`. */
export function scaled(env: ChaosEnv, n: number, min = 500): number {
  return Math.max(min, Math.round(n * env.scale));
}
