import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, test } from 'node:test';
import type { Consumer } from 'kafkajs';
import { MembershipLease } from '../../../src/consume/membership-lease.ts';

const EVENTS = {
  HEARTBEAT: 'consumer.heartbeat',
  COMMIT_OFFSETS: 'consumer.commit_offsets',
  GROUP_JOIN: 'consumer.group_join',
  REQUEST: 'consumer.network.request',
} as Consumer['events'];

/**
 * A consumer's events as kafkajs emits them: the request event as an answer is read
 * (apiName, sentAt on the wall clock), then the event for what the request achieved.
 */
function setUp() {
  let mono = 1_000;
  let wall = 1_700_000_000_000;
  const emitter = new EventEmitter();
  const consumer = {
    events: EVENTS,
    on: ((name: string, listener: (e: unknown) => void) => {
      emitter.on(name, listener);
      return () => emitter.off(name, listener);
    }) as unknown as Consumer['on'],
  };
  const lease = new MembershipLease(consumer, {
    leaseMs: 5_000,
    now: () => mono,
    wallNow: () => wall,
  });
  const pass = (ms: number): void => {
    mono += ms;
    wall += ms;
  };
  /** A request sent now; call the result when its answer is read. */
  const send = (apiName: string, event: string) => {
    const sentAt = wall;
    return (): void => {
      emitter.emit(EVENTS.REQUEST, { payload: { apiName, sentAt } });
      emitter.emit(event, { payload: {} });
    };
  };
  const heartbeat = () => send('Heartbeat', EVENTS.HEARTBEAT);
  const join = () => send('SyncGroup', EVENTS.GROUP_JOIN);
  return { lease, pass, send, heartbeat, join, stepWallClock: (ms: number) => (wall += ms) };
}

describe('MembershipLease', () => {
  test('not fresh until the group confirmed the member; a join or a heartbeat renews it', () => {
    const { lease, pass, heartbeat, join } = setUp();
    assert.equal(lease.fresh, false);
    join()();
    assert.equal(lease.fresh, true);
    pass(5_000);
    assert.equal(lease.fresh, false, 'expired after leaseMs without a heartbeat');
    heartbeat()();
    assert.equal(lease.fresh, true);
    pass(4_999);
    assert.equal(lease.fresh, true);
  });

  test('a proof dates from when its request was sent, not from when its answer was read', () => {
    const { lease, pass, heartbeat } = setUp();
    const answer = heartbeat();
    pass(3_000); // a slow answer
    answer();
    assert.equal(lease.fresh, true);
    pass(2_000);
    assert.equal(lease.fresh, false, '5 s after the request was sent');
  });

  test('frozen past the session: an answer that waited in the socket proves nothing now', () => {
    const { lease, pass, heartbeat } = setUp();
    heartbeat()();
    const sentBeforeFreeze = heartbeat();
    pass(20_000); // SIGSTOP; the coordinator evicted the member meanwhile
    sentBeforeFreeze(); // read right after SIGCONT, before anything else
    assert.equal(lease.fresh, false);
    heartbeat()(); // a heartbeat sent after the freeze (only accepted if still a member)
    assert.equal(lease.fresh, true);
  });

  test('an event without the answer it reports is not evidence', () => {
    const { lease, send } = setUp();
    send('Metadata', EVENTS.HEARTBEAT)();
    assert.equal(lease.fresh, false, 'a heartbeat event whose Heartbeat answer was never seen');
  });

  test('an accepted commit renews (all partitions paused: no heartbeats), dated from its request', () => {
    const { lease, pass, send } = setUp();
    send('OffsetCommit', EVENTS.COMMIT_OFFSETS)();
    assert.equal(lease.fresh, true);
    pass(5_000);
    assert.equal(lease.fresh, false);
    const stale = send('OffsetCommit', EVENTS.COMMIT_OFFSETS);
    pass(20_000); // frozen with a commit in flight
    stale();
    assert.equal(lease.fresh, false, 'a commit answer that sat through a freeze proves nothing');
  });

  test('concurrent commits read together count from the oldest request', () => {
    const { lease, pass } = setUp();
    const wallAt = (ago: number): number => 1_700_000_000_000 + 4_000 - ago;
    pass(4_000);
    // Two answers read in one socket chunk (4 s old and brand new), then both events.
    lease.answered('OffsetCommit', wallAt(4_000));
    lease.answered('OffsetCommit', wallAt(0));
    lease.confirmed('COMMIT_OFFSETS');
    lease.confirmed('COMMIT_OFFSETS'); // nothing left to claim: not evidence
    assert.equal(lease.fresh, true);
    pass(1_001);
    assert.equal(lease.fresh, false, 'dated from the older request, not the younger');
  });

  test('a wall clock stepped backwards does not make an old proof young, nor a new one older', () => {
    const { lease, pass, heartbeat, stepWallClock } = setUp();
    const answer = heartbeat();
    stepWallClock(-60_000);
    answer();
    assert.equal(lease.fresh, true, 'counted as sent now');
    pass(5_000);
    assert.equal(lease.fresh, false);
    const old = heartbeat();
    pass(1_000);
    heartbeat()();
    old(); // an older proof read later does not move the lease back
    pass(4_500);
    assert.equal(lease.fresh, true);
  });

  test('whenFresh waits for the next confirmation, and gives up when its signal aborts', async () => {
    const { lease, heartbeat } = setUp();
    let resolved = false;
    const waiting = lease.whenFresh(new AbortController().signal).then(() => (resolved = true));
    await new Promise((r) => setImmediate(r));
    assert.equal(resolved, false);
    heartbeat()();
    await waiting;
    assert.equal(resolved, true);

    const { lease: stale } = setUp();
    const abort = new AbortController();
    const gaveUp = assert.rejects(stale.whenFresh(abort.signal), /lane dropped/);
    abort.abort(new Error('lane dropped'));
    await gaveUp;
  });

  test('a stale answer does not wake a waiter', async () => {
    const { lease, pass, heartbeat } = setUp();
    const sentBeforeFreeze = heartbeat();
    pass(20_000);
    let resolved = false;
    const waiting = lease.whenFresh(new AbortController().signal).then(() => (resolved = true));
    sentBeforeFreeze();
    await new Promise((r) => setImmediate(r));
    assert.equal(resolved, false);
    heartbeat()();
    await waiting;
  });

  test('a rejoin renews the lease but the lanes it dropped still give up', async () => {
    const { lease, join } = setUp();
    const lane = new AbortController();
    const waiting = assert.rejects(lease.whenFresh(lane.signal), /dropped on rejoin/);
    await new Promise((r) => setImmediate(r));
    join()(); // renews the lease…
    lane.abort(new Error('dropped on rejoin')); // …and the worker drops the old lanes in the same turn
    await waiting;
  });
});
