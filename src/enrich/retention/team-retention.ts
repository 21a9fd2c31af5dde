import { DEFAULT_RETENTION_MONTHS } from '../../decode/event-row.ts';

/**
 * Per-team retention as rows carry it: `events.retention_months`, which the table's TTL
 * (`timestamp + toIntervalMonth(retention_months)`) applies. HIP-47's default is 12 months.
 */
export { DEFAULT_RETENTION_MONTHS };
/** Longest retention accepted from team_settings (100 years; the column is UInt16). */
export const MAX_RETENTION_MONTHS = 1_200;

/** team_id (canonical decimal text) → retention in months, for teams with an override. */
export type RetentionByTeam = ReadonlyMap<string, number>;

export interface ParsedTeamSettings {
  readonly retention: RetentionByTeam;
  /** Rows whose team_id or retention_months is unusable (skipped: those teams keep the default). */
  readonly rejected: readonly string[];
}

/** A UInt64 team id as the map keys it: decimal text without leading zeros. */
export function teamKey(teamId: number | string | bigint): string {
  if (typeof teamId === 'string' && teamId.length > 1 && teamId.startsWith('0')) {
    return BigInt(teamId).toString();
  }
  return String(teamId);
}

/**
 * The rows of the team-settings query, checked. `team_id` may come as a number or as text
 * (node-postgres returns bigint and numeric as text); `retention_months` must be a whole
 * number of months from 1 to MAX_RETENTION_MONTHS.
 */
export function parseTeamSettingsRows(
  rows: readonly Record<string, unknown>[],
): ParsedTeamSettings {
  const retention = new Map<string, number>();
  const rejected: string[] = [];
  for (const row of rows) {
    const team = row['team_id'];
    const months =
      typeof row['retention_months'] === 'string'
        ? Number(row['retention_months'])
        : row['retention_months'];
    const teamOk =
      (typeof team === 'number' && Number.isSafeInteger(team) && team >= 0) ||
      (typeof team === 'string' && /^\d{1,20}$/.test(team) && BigInt(team) < 2n ** 64n);
    const monthsOk =
      typeof months === 'number' &&
      Number.isInteger(months) &&
      months >= 1 &&
      months <= MAX_RETENTION_MONTHS;
    if (teamOk && monthsOk) retention.set(teamKey(team), months);
    else
      rejected.push(`team_id=${String(team)} retention_months=${String(row['retention_months'])}`);
  }
  return { retention, rejected };
}
