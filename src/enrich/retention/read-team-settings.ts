import pg from 'pg';
import { IngestError } from '../../errors.ts';
import { parseTeamSettingsRows, type ParsedTeamSettings } from './team-retention.ts';

/** Reading team_settings failed (PostgreSQL down, slow, query wrong): the last settings stay. */
export class TeamSettingsReadError extends IngestError {
  constructor(message: string, cause?: unknown) {
    super(message, { retriable: true, cause });
  }
}

export interface TeamSettingsSource {
  readonly url: string;
  readonly query: string;
  readonly timeoutMs: number;
}

/**
 * One read of the team settings on a connection of its own, closed after: a refresh every
 * minute or so does not need a pool, and nothing stays half-open while PostgreSQL is away.
 * Connect, query and close all fit in `timeoutMs`, or the read fails.
 */
export async function readTeamSettings(source: TeamSettingsSource): Promise<ParsedTeamSettings> {
  const client = new pg.Client({
    connectionString: source.url,
    connectionTimeoutMillis: source.timeoutMs,
    query_timeout: source.timeoutMs,
    statement_timeout: source.timeoutMs,
    application_name: 'hanzo-ingest',
  });
  // A connection lost between reads would otherwise be an unhandled 'error' event.
  client.on('error', () => undefined);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new TeamSettingsReadError(`no answer within ${source.timeoutMs} ms`)),
      source.timeoutMs,
    );
  });
  try {
    const result = await Promise.race([
      client.connect().then(() => client.query<Record<string, unknown>>(source.query)),
      deadline,
    ]);
    return parseTeamSettingsRows(result.rows);
  } catch (err) {
    if (err instanceof TeamSettingsReadError) throw err;
    throw new TeamSettingsReadError((err as Error).message || String(err), err);
  } finally {
    clearTimeout(timer);
    void client.end().catch(() => undefined);
  }
}
