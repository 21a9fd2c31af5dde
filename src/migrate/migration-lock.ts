import type { ClickHouseClient } from '@clickhouse/client';
import type { ResolvedTarget } from '../schema/schema-target.ts';
import { acquirerOf, insertLeaseRow, readLease } from './lock-table-rows.ts';
import { MigrationLockLostError, MigrationLockTimeoutError } from './migrate-errors.ts';

/**
 * One migrator at a time, on a single node and on a cluster alike.
 *
 * The lock is a lease in `hanzo_schema_lock`, numbered by epochs. To take epoch E, a
 * migrator inserts its `acquire` row with `insert_deduplication_token = lock:E`. ClickHouse
 * keeps the first block stored under a token and drops every later one *whatever its
 * data*, atomically (the table's deduplication log on one node; a block znode in Keeper on
 * a replicated table). So of several migrators racing for E exactly one row is stored;
 * each reads it back and only its writer goes on. The holder writes a heartbeat row every
 * few seconds and a `release` row at the end. A lease whose last row is older than the
 * stale timeout belongs to a migrator that died: the next one takes epoch E + 1. The holder
 * checks the lease is still its own before each migration, so a migrator that stalled past
 * the timeout stops instead of running alongside its successor.
 * Ages are measured on the server clock (`now64()` against the rows' `at`).
 */
export interface LockTiming {
  /** A lease with no row for this long is presumed dead. */
  readonly staleMs: number;
  readonly heartbeatMs: number;
  /** How long to wait for a live holder before giving up. */
  readonly waitMs: number;
  readonly pollMs: number;
}

export const DEFAULT_LOCK_TIMING: LockTiming = {
  staleMs: 60_000,
  heartbeatMs: 5_000,
  waitMs: 15 * 60_000,
  pollMs: 1_000,
};

export interface LockLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export class MigrationLock {
  readonly epoch: number;
  readonly owner: string;
  readonly #client: ClickHouseClient;
  readonly #target: ResolvedTarget;
  readonly #heartbeat: NodeJS.Timeout;
  readonly #logger: LockLogger | undefined;

  constructor(
    client: ClickHouseClient,
    target: ResolvedTarget,
    lease: { epoch: number; owner: string; heartbeatMs: number; logger?: LockLogger },
  ) {
    this.epoch = lease.epoch;
    this.owner = lease.owner;
    this.#client = client;
    this.#target = target;
    this.#logger = lease.logger;
    this.#heartbeat = setInterval(() => {
      this.#write('heartbeat').catch((err: unknown) =>
        this.#logger?.warn({ err, epoch: this.epoch }, 'migration lock heartbeat failed'),
      );
    }, lease.heartbeatMs);
    this.#heartbeat.unref();
  }

  /** Throws MigrationLockLostError unless the newest lease is still this one. */
  async assertHeld(): Promise<void> {
    const state = await readLease(this.#client, this.#target);
    if (state?.epoch !== this.epoch || state.holder !== this.owner || state.released) {
      throw new MigrationLockLostError(this.#target.database, this.epoch, state?.holder);
    }
  }

  /** Ends the lease; if this fails the lease simply goes stale. */
  async release(): Promise<void> {
    clearInterval(this.#heartbeat);
    await this.#write('release').catch((err: unknown) =>
      this.#logger?.warn({ err, epoch: this.epoch }, 'migration lock release failed'),
    );
  }

  /** Stops heart-beating without releasing: what a migrator that died leaves behind. */
  abandon(): void {
    clearInterval(this.#heartbeat);
  }

  async #write(kind: 'heartbeat' | 'release'): Promise<void> {
    await insertLeaseRow(this.#client, this.#target, {
      epoch: this.epoch,
      kind,
      owner: this.owner,
    });
  }
}

export async function acquireMigrationLock(
  client: ClickHouseClient,
  target: ResolvedTarget,
  options: { owner: string; timing?: Partial<LockTiming>; logger?: LockLogger },
): Promise<MigrationLock> {
  const timing = { ...DEFAULT_LOCK_TIMING, ...options.timing };
  const started = Date.now();
  let floor = 0;
  let waitingFor: string | undefined;
  for (;;) {
    const state = await readLease(client, target);
    const live = state !== undefined && !state.released && state.idleMs < timing.staleMs;
    if (live) {
      if (Date.now() - started >= timing.waitMs) {
        throw new MigrationLockTimeoutError(target.database, Date.now() - started, state.holder);
      }
      if (waitingFor !== state.holder) {
        waitingFor = state.holder;
        options.logger?.info(
          { holder: state.holder, epoch: state.epoch },
          'waiting for the migration lock',
        );
      }
      await sleep(timing.pollMs);
      continue;
    }
    if (state !== undefined && !state.released) {
      options.logger?.warn(
        { holder: state.holder, epoch: state.epoch, idleMs: state.idleMs },
        'taking over a stale migration lock',
      );
    }
    const epoch = Math.max(state?.epoch ?? 0, floor) + 1;
    await insertLeaseRow(client, target, { epoch, kind: 'acquire', owner: options.owner });
    const winner = await acquirerOf(client, target, epoch);
    if (winner === options.owner) {
      return new MigrationLock(client, target, {
        epoch,
        owner: options.owner,
        heartbeatMs: timing.heartbeatMs,
        ...(options.logger === undefined ? {} : { logger: options.logger }),
      });
    }
    // No row at all: the token was used before (the lock table was emptied by hand). Move on.
    if (winner === undefined) floor = epoch;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
