import type { TeamSettingsSource } from './read-team-settings.ts';
import {
  DEFAULT_RETENTION_MONTHS,
  teamKey,
  type ParsedTeamSettings,
  type RetentionByTeam,
} from './team-retention.ts';

export interface TeamRetentionEvents {
  /** A read succeeded: `teams` overrides in force now. */
  refreshed(teams: number, rejected: readonly string[]): void;
  /** A read failed; `snapshotAgeMs`: the snapshot in use is this old (undefined: none yet, the default applies). */
  refreshFailed(err: unknown, consecutive: number, snapshotAgeMs: number | undefined): void;
}

export interface TeamRetentionCacheOptions {
  readonly source: TeamSettingsSource;
  readonly refreshMs: number;
  readonly read: (source: TeamSettingsSource) => Promise<ParsedTeamSettings>;
  readonly events: TeamRetentionEvents;
  readonly now?: () => number;
}

/**
 * The retention of every team, read from PostgreSQL every `refreshMs` and answered from
 * memory: `retentionOf` is synchronous and never waits for PostgreSQL. A failed read keeps
 * the last snapshot (or, before the first success, the 12-month default for everyone), so
 * PostgreSQL being down or slow never holds ingestion up; the next tick tries again.
 */
export class TeamRetentionCache {
  readonly #options: TeamRetentionCacheOptions;
  readonly #now: () => number;
  #retention: RetentionByTeam = new Map();
  #loadedAt: number | undefined;
  readonly #startedAt: number;
  #failures = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #refreshing: Promise<void> | undefined;

  constructor(options: TeamRetentionCacheOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#startedAt = this.#now();
  }

  /** The first read (bounded by the source's timeout), then one every refreshMs. */
  async start(): Promise<void> {
    await this.refresh();
    this.#schedule();
  }

  retentionOf(teamId: number | string): number {
    return this.#retention.get(teamKey(teamId)) ?? DEFAULT_RETENTION_MONTHS;
  }

  /** How old the settings in use are, in ms (undefined: never read; the default applies). */
  snapshotAgeMs(): number | undefined {
    return this.#loadedAt === undefined ? undefined : this.#now() - this.#loadedAt;
  }

  /** Time since the settings in use were read; before any read succeeded, since start. */
  staleMs(): number {
    return this.#now() - (this.#loadedAt ?? this.#startedAt);
  }

  get teams(): number {
    return this.#retention.size;
  }

  /** One read now; never throws (a failure is reported and the snapshot kept). */
  refresh(): Promise<void> {
    this.#refreshing ??= this.#readOnce().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  async #readOnce(): Promise<void> {
    try {
      const parsed = await this.#options.read(this.#options.source);
      this.#retention = parsed.retention;
      this.#loadedAt = this.#now();
      this.#failures = 0;
      this.#options.events.refreshed(parsed.retention.size, parsed.rejected);
    } catch (err) {
      this.#failures++;
      this.#options.events.refreshFailed(err, this.#failures, this.snapshotAgeMs());
    }
  }

  #schedule(): void {
    if (this.#closed) return;
    this.#timer = setTimeout(() => {
      void this.refresh().then(() => this.#schedule());
    }, this.#options.refreshMs);
    // Never what keeps a stopping worker alive.
    this.#timer.unref();
  }
}
