import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, test } from 'node:test';
import type { Consumer } from 'kafkajs';
import { MembershipLease } from '../../../src/consume/membership-lease.ts';

/** Consumer events as kafkajs emits them (only their names matter to the lease). */
function consumerEvents(): {
  consumer: Pick<Consumer, 'on' | 'events'>;
  emit: (name: string) => void;
} {
  const emitter = new EventEmitter();
  const events = {
    HEARTBEAT: 'consumer.heartbeat',
    COMMIT_OFFSETS: 'consumer.commit_offsets',
    GROUP_JOIN: 'consumer.group_join',
  } as Consumer['events'];
  const consumer = {
    events,
    on: ((name: string, listener: () => void) => {
      emitter.on(name, listener);
      return () => emitter.off(name, listener);
    }) as unknown as Consumer['on'],
  };
  return { consumer, emit: (name) => emitter.emit(name, {}) };
}

function setUp() {
  let now = 1_000;
  const { consumer, emit } = consumerEvents();
  const lease = new MembershipLease(consumer, { leaseMs: 5_000, stallMs: 2_500, now: () => now });
  /** Time passes with the event loop ticking every 100 ms. */
  const run = (ms: number): void => {
    for (let t = 0; t < ms; t += 100) {
      now += 100;
      lease.tick();
    }
  };
  return { lease, emit, run, freeze: (ms: number) => (now += ms) };
}

describe('MembershipLease', () => {
  test('not fresh before the group confirmed the member; a join, heartbeat or commit renews it', () => {
    const { lease, emit, run } = setUp();
    assert.equal(lease.fresh, false);
    emit('consumer.group_join');
    assert.equal(lease.fresh, true);
    run(5_000);
    assert.equal(lease.fresh, false, 'expired after leaseMs without a heartbeat');
    emit('consumer.heartbeat');
    assert.equal(lease.fresh, true);
    run(4_000);
    emit('consumer.commit_offsets');
    run(4_000);
    assert.equal(lease.fresh, true, 'the commit renewed it');
  });

  test('a freeze voids the lease, and a proof that arrives before the loop ticked again is not trusted', () => {
    const { lease, emit, run, freeze } = setUp();
    emit('consumer.heartbeat');
    freeze(3_000); // SIGSTOP for less than the lease, more than the stall bound
    assert.equal(lease.fresh, false, 'right after the freeze, before any tick');
    emit('consumer.heartbeat'); // an answer that waited in the socket while frozen
    assert.equal(lease.fresh, false);
    lease.tick();
    assert.equal(lease.fresh, false, 'the tick saw the gap and voided the old proof');
    emit('consumer.heartbeat'); // a heartbeat sent after the freeze
    assert.equal(lease.fresh, true);
    run(100);
    assert.equal(lease.fresh, true);
  });

  test('whenFresh waits for the next confirmation, and gives up when its signal aborts', async () => {
    const { lease, emit } = setUp();
    let resolved = false;
    const waiting = lease.whenFresh(new AbortController().signal).then(() => (resolved = true));
    await new Promise((r) => setImmediate(r));
    assert.equal(resolved, false);
    emit('consumer.heartbeat');
    await waiting;
    assert.equal(resolved, true);

    const { lease: stale } = setUp();
    const abort = new AbortController();
    const gaveUp = assert.rejects(stale.whenFresh(abort.signal), /lane dropped/);
    abort.abort(new Error('lane dropped'));
    await gaveUp;
  });

  test('a rejoin renews the lease but the lanes it dropped still give up', async () => {
    const { lease, emit } = setUp();
    const lane = new AbortController();
    const waiting = assert.rejects(lease.whenFresh(lane.signal), /dropped on rejoin/);
    await new Promise((r) => setImmediate(r));
    emit('consumer.group_join'); // renews the lease…
    lane.abort(new Error('dropped on rejoin')); // …and the worker drops the old lanes in the same turn
    await waiting;
  });
});
