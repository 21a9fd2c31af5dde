import type { Registry } from 'prom-client';
import { METRICS } from './metric-names.ts';
import { counterOf, gaugeOf } from './prom.ts';

/** What the metrics read from the team-retention cache at scrape time. */
export interface TeamSettingsView {
  staleMs(): number;
  readonly teams: number;
}

export interface TeamSettingsMetrics {
  refreshFailed(): void;
}

export function createTeamSettingsMetrics(
  registry: Registry,
  view: TeamSettingsView,
): TeamSettingsMetrics {
  const failures = counterOf(registry, METRICS.teamSettingsRefreshFailures);
  failures.inc(0);
  gaugeOf(registry, METRICS.teamSettingsAge, () => view.staleMs() / 1000);
  gaugeOf(registry, METRICS.teamSettingsTeams, () => view.teams);
  return { refreshFailed: () => failures.inc() };
}
