import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decideStart } from '../../../src/consume/start-position.ts';

const none = { namespace: undefined, pending: undefined };
const log = { low: 10n, high: 100n };

describe('decideStart', () => {
  test('in range: the committed offset with what it recorded', () => {
    const mark = { namespace: 'p~a', pending: { first: 40n, last: 49n, namespace: 'p~a' } };
    assert.deepEqual(decideStart(40n, mark, log, 'earliest'), {
      offset: 40n,
      pending: mark.pending,
      namespace: 'p~a',
      reset: undefined,
      logEnd: 100n,
    });
    assert.equal(decideStart(100n, none, log, 'latest').reset, undefined, 'at the end: in range');
    assert.equal(decideStart(undefined, none, log, 'latest').offset, undefined, 'new group');
  });

  test('below the log start: earliest keeps what is left of a pending range', () => {
    const mark = { namespace: 'p~a', pending: { first: 0n, last: 49n, namespace: 'p~a' } };
    const start = decideStart(0n, mark, log, 'earliest');
    assert.equal(start.offset, 10n);
    assert.deepEqual(start.pending, mark.pending);
    assert.equal(start.namespace, 'p~a');
    assert.deepEqual(start.reset, { reason: 'below_log_start', from: 0n, to: 10n, skipped: 0n });
  });

  test('below the log start without a range, or with latest: offsets never read are skipped', () => {
    assert.deepEqual(decideStart(4n, none, log, 'earliest').reset, {
      reason: 'below_log_start',
      from: 4n,
      to: 10n,
      skipped: 6n,
    });
    const mark = { namespace: 'p~a', pending: { first: 0n, last: 49n, namespace: 'p~a' } };
    const latest = decideStart(0n, mark, log, 'latest');
    assert.equal(latest.pending, undefined, 'the range ends before the restart');
    assert.equal(latest.reset?.skipped, 50n, '50-99 were never read');
  });

  test('beyond the log end: nothing recorded applies; a new life begins', () => {
    const mark = { namespace: 'p~a', pending: { first: 500n, last: 599n, namespace: 'p~a' } };
    const earliest = decideStart(500n, mark, log, 'earliest');
    assert.deepEqual(
      [earliest.offset, earliest.pending, earliest.namespace, earliest.reset?.skipped],
      [10n, undefined, undefined, 0n],
    );
    const latest = decideStart(500n, mark, log, 'latest');
    assert.deepEqual(
      [latest.offset, latest.reset?.reason, latest.reset?.skipped],
      [100n, 'beyond_log_end', 90n],
    );
  });
});
