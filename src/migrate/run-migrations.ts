import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { ClickHouseClient } from '@clickhouse/client';
import type { MigrationSource } from '../schema/migration-sources.ts';
import {
  renderMigrations,
  type RenderedMigration,
  type Statement,
} from '../schema/render-schema.ts';
import { resolveTarget, type ResolvedTarget, type SchemaTarget } from '../schema/schema-target.ts';
import { bookkeepingStatements, LEDGER_TABLE, LOCK_TABLE } from './bookkeeping-tables.ts';
import { MigrationStatementError } from './migrate-errors.ts';
import { readLedger, recordMigration } from './migration-ledger.ts';
import { acquireMigrationLock, type LockLogger, type LockTiming } from './migration-lock.ts';
import {
  pendingDown,
  pendingUp,
  statusOf,
  type LedgerEntry,
  type MigrationStatusRow,
} from './plan-migrations.ts';

export interface MigrateOptions extends SchemaTarget {
  /** Who applies (default host:pid); a random suffix makes it the lock owner and ledger `applied_by`. */
  readonly owner?: string;
  /** Plan and render only: nothing is locked, sent or recorded. */
  readonly dryRun?: boolean;
  readonly lock?: Partial<LockTiming>;
  readonly logger?: LockLogger;
  /** The migrations to apply (default: schemas/migrations). */
  readonly sources?: readonly MigrationSource[];
}

export interface MigrateResult {
  readonly direction: 'up' | 'down';
  readonly dryRun: boolean;
  /** Migrations applied (up) or reverted (down) by this call, in the order they ran. */
  readonly migrations: readonly string[];
  /** The statements sent (or, for a dry run, that would be sent). */
  readonly statements: readonly Statement[];
}

/**
 * Applies every pending migration, oldest first. Safe to call from many workers at once:
 * a quick unlocked look at the ledger returns at once when nothing is pending; otherwise
 * one migrator at a time takes the lock and re-reads the ledger, so each migration is
 * applied once. Every statement is idempotent (IF [NOT] EXISTS), so a migration that
 * failed half-way is simply run again; it is recorded only once all its statements passed.
 */
export async function migrateUp(
  client: ClickHouseClient,
  options: MigrateOptions,
): Promise<MigrateResult> {
  return migrate(client, options, 'up', (known, ledger) => pendingUp(known, ledger));
}

/** Reverts the `steps` (default 1) most recent migrations, newest first. */
export async function migrateDown(
  client: ClickHouseClient,
  options: MigrateOptions & { readonly steps?: number },
): Promise<MigrateResult> {
  const steps = options.steps ?? 1;
  return migrate(client, options, 'down', (known, ledger) => pendingDown(known, ledger, steps));
}

/** Every known migration with its state in the ledger (plus unknown applied ones). */
export async function migrationStatus(
  client: ClickHouseClient,
  options: SchemaTarget & { readonly sources?: readonly MigrationSource[] },
): Promise<MigrationStatusRow[]> {
  const target = resolveTarget(options);
  const known = renderMigrations(options, options.sources);
  const ledger = (await bookkeepingExists(client, target)) ? await readLedger(client, target) : [];
  return statusOf(known, ledger);
}

type Planner = (
  known: readonly RenderedMigration[],
  ledger: readonly LedgerEntry[],
) => RenderedMigration[];

async function migrate(
  client: ClickHouseClient,
  options: MigrateOptions,
  direction: 'up' | 'down',
  plan: Planner,
): Promise<MigrateResult> {
  const target = resolveTarget(options);
  const known = renderMigrations(options, options.sources);
  const dryRun = options.dryRun === true;
  const statementsOf = (m: RenderedMigration): readonly Statement[] =>
    direction === 'up' ? m.up : m.down;

  if (dryRun) {
    const ledger = (await bookkeepingExists(client, target))
      ? await readLedger(client, target)
      : [];
    const planned = plan(known, ledger);
    return {
      direction,
      dryRun,
      migrations: planned.map((m) => m.id),
      statements: planned.flatMap(statementsOf),
    };
  }

  // Only when missing: on a cluster each CREATE … ON CLUSTER is a trip through the DDL queue.
  if (!(await bookkeepingExists(client, target, [LEDGER_TABLE, LOCK_TABLE]))) {
    await ensureBookkeeping(client, target);
  }
  // Nothing to do is the common case at worker start-up: no lock, no writes.
  if (plan(known, await readLedger(client, target)).length === 0) {
    return { direction, dryRun, migrations: [], statements: [] };
  }

  // Unique even if two processes were given the same name: the lock tells owners apart by it.
  const owner = `${options.owner ?? `${hostname()}:${process.pid}`}:${randomUUID().slice(0, 8)}`;
  const lock = await acquireMigrationLock(client, target, {
    owner,
    ...(options.lock === undefined ? {} : { timing: options.lock }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  const done: string[] = [];
  const sent: Statement[] = [];
  try {
    // Under the lock the ledger is final: whatever another migrator applied meanwhile is skipped.
    for (const migration of plan(known, await readLedger(client, target))) {
      await lock.assertHeld();
      const started = performance.now();
      const statements = statementsOf(migration);
      for (const [index, statement] of statements.entries()) {
        try {
          await client.command({ query: statement.sql });
        } catch (err) {
          throw new MigrationStatementError(migration.id, index, statement.sql, err);
        }
        sent.push(statement);
      }
      await lock.assertHeld();
      await recordMigration(client, target, {
        migration,
        direction,
        lockEpoch: lock.epoch,
        durationMs: performance.now() - started,
        appliedBy: owner,
      });
      done.push(migration.id);
      options.logger?.info(
        { migration: migration.id, direction, statements: statements.length },
        direction === 'up' ? 'migration applied' : 'migration reverted',
      );
    }
  } finally {
    await lock.release();
  }
  return { direction, dryRun, migrations: done, statements: sent };
}

/** The database, the ledger and the lock table; idempotent, safe to race. */
async function ensureBookkeeping(client: ClickHouseClient, target: ResolvedTarget): Promise<void> {
  for (const query of bookkeepingStatements(target)) {
    await client.command({ query });
  }
}

/** Whether all of `tables` exist in the target database (on the node we talk to). */
async function bookkeepingExists(
  client: ClickHouseClient,
  target: ResolvedTarget,
  tables: readonly string[] = [LEDGER_TABLE],
): Promise<boolean> {
  const result = await client.query({
    query: `SELECT count() AS n FROM system.tables
WHERE database = {db:String} AND has({tables:Array(String)}, name)`,
    query_params: { db: target.database, tables },
    format: 'JSONEachRow',
  });
  const [row] = await result.json<{ n: string | number }>();
  return Number(row?.n ?? 0) === tables.length;
}
