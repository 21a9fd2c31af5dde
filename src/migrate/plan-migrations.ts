import type { RenderedMigration } from '../schema/render-schema.ts';
import { MigrationPlanError } from './migrate-errors.ts';

/** What the ledger says about one version: its latest record. */
export interface LedgerEntry {
  readonly version: number;
  readonly name: string;
  readonly direction: 'up' | 'down';
  readonly checksum: string;
  readonly rendering: string;
  readonly appliedAt: string;
  readonly appliedBy: string;
}

export interface MigrationStatusRow {
  /** `0001_events` */
  readonly id: string;
  readonly version: number;
  readonly state: 'applied' | 'pending' | 'unknown';
  readonly appliedAt?: string;
  readonly appliedBy?: string;
  /** How it was rendered when applied (`unclustered`, `clustered`, `clustered+distributed`). */
  readonly rendering?: string;
  /** False when the migration's files changed after it was applied. */
  readonly checksumMatches?: boolean;
}

function appliedVersions(ledger: readonly LedgerEntry[]): Map<number, LedgerEntry> {
  return new Map(ledger.filter((e) => e.direction === 'up').map((e) => [e.version, e]));
}

/** Known migrations not applied yet, oldest first. */
export function pendingUp(
  known: readonly RenderedMigration[],
  ledger: readonly LedgerEntry[],
): RenderedMigration[] {
  const applied = appliedVersions(ledger);
  return known.filter((m) => !applied.has(m.version)).sort((a, b) => a.version - b.version);
}

/**
 * The `steps` most recently versioned applied migrations, newest first. Refuses when one of
 * them is not known here (applied by a newer hanzo-ingest): its down is not in this build.
 */
export function pendingDown(
  known: readonly RenderedMigration[],
  ledger: readonly LedgerEntry[],
  steps: number,
): RenderedMigration[] {
  if (!Number.isInteger(steps) || steps < 1) {
    throw new MigrationPlanError(`down: steps must be a positive whole number, got ${steps}`);
  }
  const byVersion = new Map(known.map((m) => [m.version, m]));
  const newestFirst = [...appliedVersions(ledger).values()].sort((a, b) => b.version - a.version);
  return newestFirst.slice(0, steps).map((entry) => {
    const migration = byVersion.get(entry.version);
    if (migration === undefined) {
      throw new MigrationPlanError(
        `down: version ${entry.version} (${entry.name}) was applied by a newer hanzo-ingest; revert it with that version`,
      );
    }
    return migration;
  });
}

export function statusOf(
  known: readonly RenderedMigration[],
  ledger: readonly LedgerEntry[],
): MigrationStatusRow[] {
  const applied = appliedVersions(ledger);
  const rows: MigrationStatusRow[] = known.map((m) => {
    const entry = applied.get(m.version);
    if (entry === undefined) return { id: m.id, version: m.version, state: 'pending' };
    return {
      id: m.id,
      version: m.version,
      state: 'applied',
      appliedAt: entry.appliedAt,
      appliedBy: entry.appliedBy,
      rendering: entry.rendering,
      checksumMatches: entry.checksum === m.checksum,
    };
  });
  const knownVersions = new Set(known.map((m) => m.version));
  for (const entry of applied.values()) {
    if (knownVersions.has(entry.version)) continue;
    rows.push({
      id: `${String(entry.version).padStart(4, '0')}_${entry.name}`,
      version: entry.version,
      state: 'unknown',
      appliedAt: entry.appliedAt,
      appliedBy: entry.appliedBy,
      rendering: entry.rendering,
    });
  }
  return rows.sort((a, b) => a.version - b.version);
}
