import { IngestError } from '../errors.ts';

/** Another migrator held the lock for longer than we were willing to wait. */
export class MigrationLockTimeoutError extends IngestError {
  constructor(database: string, waitedMs: number, holder: string | undefined) {
    super(
      `migration lock on ${database} still held${holder === undefined ? '' : ` by ${holder}`} after ${waitedMs} ms`,
      { retriable: true },
    );
  }
}

/**
 * The lock was taken over (this migrator stopped heart-beating for longer than the stale
 * timeout, so another one presumed it dead). Stop before sending anything else.
 */
export class MigrationLockLostError extends IngestError {
  constructor(database: string, epoch: number, holder: string | undefined) {
    super(
      `migration lock epoch ${epoch} on ${database} is no longer ours${holder === undefined ? '' : ` (now held by ${holder})`}`,
      { retriable: true },
    );
  }
}

/** The migrations cannot be planned: the ledger and the known migrations disagree. */
export class MigrationPlanError extends IngestError {
  constructor(message: string) {
    super(message, { retriable: false });
  }
}

/** A statement of a migration failed; the migration is not recorded and may be re-run. */
export class MigrationStatementError extends IngestError {
  constructor(migration: string, index: number, sql: string, cause: unknown) {
    const first = sql.split('\n', 1)[0] ?? '';
    super(
      `${migration}: statement ${index + 1} failed (${first}…): ${cause instanceof Error ? cause.message : String(cause)}`,
      { retriable: false, cause },
    );
  }
}
