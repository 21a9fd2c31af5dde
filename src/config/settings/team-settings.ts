import { z } from 'zod';
import { setting } from './setting.ts';
import { positiveInt } from './value-types.ts';

/**
 * Per-team retention (HIP-47: enterprise teams MAY override the events TTL in PostgreSQL's
 * `team_settings`). Off while `url` is unset: every row keeps the table's 12 months.
 */
export const TEAM_SETTINGS_SETTINGS = {
  /** postgres://user:password@host:port/db?sslmode=… */
  url: setting({
    env: 'TEAM_SETTINGS_URL',
    type: z
      .string()
      .regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// or postgresql:// connection string'),
    optional: true,
    doc: 'PostgreSQL holding per-team retention (team_settings); unset: every team keeps 12 months',
    secret: true,
    fromFile: true,
  }),
  query: setting({
    env: 'TEAM_SETTINGS_QUERY',
    type: z.string().min(1),
    default:
      'SELECT team_id, retention_months FROM team_settings WHERE retention_months IS NOT NULL',
    doc: 'Query returning (team_id, retention_months) rows; teams absent keep 12 months',
  }),
  refreshMs: setting({
    env: 'TEAM_SETTINGS_REFRESH_MS',
    type: positiveInt,
    default: 60_000,
    doc: 'How often team settings are read again (a change reaches new rows within it)',
  }),
  /** One read is connect + query. */
  timeoutMs: setting({
    env: 'TEAM_SETTINGS_TIMEOUT_MS',
    type: positiveInt,
    default: 5_000,
    doc: 'A read of team settings is abandoned after this; the last known ones stay in use',
  }),
};
