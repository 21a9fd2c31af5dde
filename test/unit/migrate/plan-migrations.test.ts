import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MigrationPlanError } from '../../../src/migrate/migrate-errors.ts';
import {
  pendingDown,
  pendingUp,
  statusOf,
  type LedgerEntry,
} from '../../../src/migrate/plan-migrations.ts';
import type { RenderedMigration } from '../../../src/schema/render-schema.ts';

const migration = (version: number, checksum = `c${version}`): RenderedMigration => ({
  version,
  name: `m${version}`,
  id: `000${version}_m${version}`,
  checksum,
  up: [],
  down: [],
});
const entry = (
  version: number,
  direction: 'up' | 'down',
  checksum = `c${version}`,
): LedgerEntry => ({
  version,
  name: `m${version}`,
  direction,
  checksum,
  rendering: 'unclustered',
  appliedAt: '2026-11-01 00:00:00.000',
  appliedBy: 'w1',
});
const known = [migration(1), migration(2), migration(3)];
const ids = (ms: readonly RenderedMigration[]) => ms.map((m) => m.version);

describe('planning migrations from the ledger', () => {
  test('up: every version whose latest record is not `up`, oldest first', () => {
    assert.deepEqual(ids(pendingUp(known, [])), [1, 2, 3]);
    assert.deepEqual(ids(pendingUp(known, [entry(1, 'up'), entry(2, 'down')])), [2, 3]);
    assert.deepEqual(ids(pendingUp(known, [entry(1, 'up'), entry(2, 'up'), entry(3, 'up')])), []);
    // a version added below the newest applied one (merged from another branch) still runs
    assert.deepEqual(ids(pendingUp(known, [entry(1, 'up'), entry(3, 'up')])), [2]);
  });

  test('down n: the n highest applied versions, newest first', () => {
    const ledger = [entry(1, 'up'), entry(2, 'up'), entry(3, 'up')];
    assert.deepEqual(ids(pendingDown(known, ledger, 1)), [3]);
    assert.deepEqual(ids(pendingDown(known, ledger, 2)), [3, 2]);
    assert.deepEqual(ids(pendingDown(known, ledger, 10)), [3, 2, 1]);
    assert.deepEqual(ids(pendingDown(known, [entry(1, 'up'), entry(2, 'down')], 1)), [1]);
    assert.deepEqual(ids(pendingDown(known, [], 1)), []);
  });

  test('down refuses a version this build does not know, and a bad n', () => {
    const ledger = [entry(1, 'up'), entry(4, 'up')];
    assert.throws(() => pendingDown(known, ledger, 1), MigrationPlanError);
    assert.throws(() => pendingDown(known, ledger, 0), /positive whole number/);
    assert.throws(() => pendingDown(known, ledger, 1.5), /positive whole number/);
  });

  test('status: applied, pending, edited since applied, and unknown versions', () => {
    const rows = statusOf(known, [entry(1, 'up'), entry(2, 'up', 'old'), entry(4, 'up')]);
    assert.deepEqual(
      rows.map((r) => [r.id, r.state, r.checksumMatches]),
      [
        ['0001_m1', 'applied', true],
        ['0002_m2', 'applied', false],
        ['0003_m3', 'pending', undefined],
        ['0004_m4', 'unknown', undefined],
      ],
    );
  });
});
