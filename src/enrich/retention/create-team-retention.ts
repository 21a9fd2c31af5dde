import type { Registry } from 'prom-client';
import type { TeamSettingsConfig } from '../../config/schema.ts';
import type { DecodedEventHook } from '../../decode/decoded-event.ts';
import { errorMessage } from '../../errors.ts';
import type { Logger } from '../../log/logger.ts';
import { createTeamSettingsMetrics } from '../../observe/team-settings-metrics.ts';
import { readTeamSettings, type TeamSettingsSource } from './read-team-settings.ts';
import { TeamRetentionCache, type TeamRetentionEvents } from './team-retention-cache.ts';
import type { ParsedTeamSettings } from './team-retention.ts';

export interface TeamRetention {
  readonly cache: TeamRetentionCache;
  /** Sets `retention_months` of each row from the cache (after the enrich stage). */
  readonly stage: DecodedEventHook;
  close(): void;
}

export interface TeamRetentionOptions {
  readonly logger: Logger;
  /** The process's metrics registry (absent: no metrics, as in one-off commands). */
  readonly registry?: Registry;
  /** How settings are read (default: readTeamSettings; kafka-engine mode also stores them). */
  readonly read?: (source: TeamSettingsSource) => Promise<ParsedTeamSettings>;
}

/**
 * Per-team retention from PostgreSQL, when `teamSettings.url` is set (undefined otherwise:
 * rows keep the 12-month default). Start-up waits for the first read at most
 * `teamSettings.timeoutMs`; whatever PostgreSQL does after that, ingestion goes on.
 */
export async function createTeamRetention(
  config: Readonly<TeamSettingsConfig>,
  options: TeamRetentionOptions,
): Promise<TeamRetention | undefined> {
  if (config.url === undefined) return undefined;
  const log = options.logger.child({ component: 'team-settings' });
  let metrics: ReturnType<typeof createTeamSettingsMetrics> | undefined;
  const cache = new TeamRetentionCache({
    source: { url: config.url, query: config.query, timeoutMs: config.timeoutMs },
    refreshMs: config.refreshMs,
    read: options.read ?? readTeamSettings,
    events: loggedEvents(log, () => metrics?.refreshFailed()),
  });
  if (options.registry !== undefined) metrics = createTeamSettingsMetrics(options.registry, cache);
  await cache.start();
  log.info(
    {
      teams: cache.teams,
      refreshMs: config.refreshMs,
      loaded: cache.snapshotAgeMs() !== undefined,
    },
    'per-team retention on',
  );
  return {
    cache,
    stage: (event) => {
      event.row.retention_months = cache.retentionOf(event.row.team_id);
    },
    close: () => cache.close(),
  };
}

function loggedEvents(log: Logger, countFailure: () => void): TeamRetentionEvents {
  let failing = false;
  return {
    refreshed: (teams, rejected) => {
      if (failing) log.info({ teams }, 'team settings readable again');
      else log.debug({ teams }, 'team settings read');
      failing = false;
      if (rejected.length > 0) {
        log.warn(
          { rejected: rejected.slice(0, 10), count: rejected.length },
          'team settings rows ignored (team_id must be a UInt64, retention_months 1-1200): those teams keep 12 months',
        );
      }
    },
    refreshFailed: (err, consecutive, snapshotAgeMs) => {
      countFailure();
      failing = true;
      // The first failure of a streak, then every 10th: a few lines per outage, not one per tick.
      if (consecutive === 1 || consecutive % 10 === 0) {
        log.warn(
          {
            err: errorMessage(err),
            consecutive,
            using:
              snapshotAgeMs === undefined
                ? 'the 12-month default for every team'
                : `settings read ${Math.round(snapshotAgeMs / 1000)} s ago`,
          },
          'cannot read team settings from PostgreSQL; ingestion continues with the last known settings',
        );
      }
    },
  };
}
