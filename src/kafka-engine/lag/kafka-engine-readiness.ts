import type { Verdict } from '../../observe/health-checks.ts';
import type { KafkaEngineLag } from './summarize-kafka-engine-lag.ts';

/** What the lag loop last saw: when a read last succeeded, its error, the latest lag. */
export interface LagReadState {
  lastOkAt: number | undefined;
  lastError: string | undefined;
  latest: KafkaEngineLag | undefined;
}

/**
 * /readyz in kafka-engine mode: the lag read within `boundMs`, and the engine has
 * consumers (ClickHouse consumes; this process only watches).
 */
export function kafkaEngineReadiness(state: LagReadState, boundMs: number): Verdict {
  const age = state.lastOkAt === undefined ? Infinity : Date.now() - state.lastOkAt;
  const fresh = age <= boundMs;
  const latest = state.latest;
  const checks = {
    lag: {
      ok: fresh,
      detail: fresh
        ? `lag ${latest?.totalLag.toString() ?? '?'} read ${Math.round(age / 1000)} s ago`
        : (state.lastError ?? 'no lag read yet'),
    },
    consumers: {
      ok: latest !== undefined && latest.consumers > 0,
      detail:
        latest === undefined
          ? 'unknown'
          : `${latest.consumers} engine consumer(s), ${latest.unassigned.length} partition(s) unassigned${latest.exceptions.length > 0 ? `; last error: ${latest.exceptions[0] ?? ''}` : ''}`,
    },
  };
  return { status: checks.lag.ok && checks.consumers.ok ? 'ok' : 'unavailable', checks };
}
