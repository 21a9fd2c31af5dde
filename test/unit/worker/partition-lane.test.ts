import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KafkaMessage } from 'kafkajs';
import type { DecodeConfig } from '../../../src/config/schema.ts';
import { MessageDecoder } from '../../../src/decode/decode-message.ts';
import { passThrough } from '../../../src/enrich/enrich-stage.ts';
import { PartitionLane } from '../../../src/worker/partition-lane.ts';

const decode: DecodeConfig = {
  format: 'json',
  avroSchemaFile: 'schemas/avro/event.avsc',
  avroSchemaIds: {},
  maxMessageBytes: 1 << 20,
  maxPropertiesBytes: 1 << 16,
  maxFutureSkewMs: 3_600_000,
  timestampSkewPolicy: 'reject',
};

function lane(
  limits = { maxRows: 3, maxBytes: 1 << 20, maxAgeMs: 1_000 },
  pending?: { first: bigint; last: bigint },
  clock = { now: Date.now() },
): PartitionLane {
  return new PartitionLane('t', 0, 1, 0n, pending, {
    decoder: new MessageDecoder(decode, undefined),
    enrich: passThrough,
    limits,
    overBudget: () => false,
    now: () => clock.now,
  });
}

const good = (offset: number): KafkaMessage => ({
  offset: String(offset),
  timestamp: String(Date.now()),
  key: null,
  value: Buffer.from(
    JSON.stringify({ team_id: 1, event: 'e', distinct_id: `u${offset}`, timestamp: Date.now() }),
  ),
  headers: {},
  attributes: 0,
});
const bad = (offset: number): KafkaMessage => ({ ...good(offset), value: Buffer.from('not json') });

describe('PartitionLane batching', () => {
  test('seals contiguous ranges at maxRows; dead letters ride inside the range', () => {
    const l = lane();
    for (const m of [good(0), bad(1), good(2), good(3)])
      assert.equal(l.offer(m, 't', 0, 'now'), 'accepted');
    const first = l.takeNext();
    assert.ok(first);
    assert.deepEqual(
      [first.firstOffset, first.lastOffset, first.rows.length, first.rejected.length],
      [0n, 3n, 3, 1],
    );
    assert.equal(first.deduplicationToken, 't:0:0-3');
    assert.equal(first.rejected[0]?.deadLetter.reason, 'invalid_json');
  });

  test('at most one batch waits behind the one in flight; then the lane is full', () => {
    const l = lane({ maxRows: 2, maxBytes: 1 << 20, maxAgeMs: 1_000 });
    for (let i = 0; i < 2; i++) l.offer(good(i), 't', 0, 'now');
    const inFlight = l.takeNext();
    for (let i = 2; i < 4; i++) assert.equal(l.offer(good(i), 't', 0, 'now'), 'accepted');
    for (let i = 4; i < 6; i++) assert.equal(l.offer(good(i), 't', 0, 'now'), 'accepted');
    assert.equal(
      l.offer(good(6), 't', 0, 'now'),
      'full',
      'open batch full and one already waiting',
    );
    assert.equal(l.canAccept, false);
    assert.ok(inFlight);
    l.finishInFlight(inFlight);
    const next = l.takeNext();
    assert.deepEqual([next?.firstOffset, next?.lastOffset], [2n, 3n]);
    assert.equal(l.offer(good(6), 't', 0, 'now'), 'accepted', 'room again');
  });

  test('maxBytes seals before the row that would overflow; redelivered offsets are skipped', () => {
    const row = good(0);
    const l = lane({ maxRows: 1000, maxBytes: 1_200, maxAgeMs: 1_000 }); // rows are ~570 bytes
    for (let offset = 0; offset < 20 && l.ready === undefined; offset++) {
      l.offer({ ...row, offset: String(offset) }, 't', 0, 'now');
    }
    const sealed = l.takeNext();
    assert.ok(
      sealed !== undefined && sealed.rows.length === 2 && sealed.bytes <= 1_200,
      `sealed ${sealed?.rows.length} rows, ${sealed?.bytes} bytes`,
    );
    assert.equal(l.offer(good(0), 't', 0, 'now'), 'skipped');
  });

  test('age flush: a partial batch seals once maxAgeMs has passed', () => {
    const start = Date.now();
    const clock = { now: start };
    const l = lane({ maxRows: 100, maxBytes: 1 << 20, maxAgeMs: 5_000 }, undefined, clock);
    l.offer(good(0), 't', 0, 'now');
    clock.now = start + 4_999;
    l.sealIfDue();
    assert.equal(l.ready, undefined);
    clock.now = start + 5_000;
    l.sealIfDue();
    assert.equal(l.takeNext()?.lastOffset, 0n);
  });

  test('a pending range is re-formed exactly, ignoring size limits and age, then batching resumes', () => {
    const clock = { now: Date.now() };
    const l = lane({ maxRows: 2, maxBytes: 1 << 20, maxAgeMs: 10 }, { first: 0n, last: 4n }, clock);
    for (let i = 0; i < 4; i++) l.offer(good(i), 't', 0, 'now');
    clock.now += 1_000;
    l.sealIfDue(true);
    assert.equal(l.ready, undefined, 'never sealed before its recorded end, not even when forced');
    l.offer(good(4), 't', 0, 'now');
    const reformed = l.takeNext();
    assert.equal(reformed?.deduplicationToken, 't:0:0-4');
    assert.equal(reformed?.rows.length, 5);
    l.offer(good(5), 't', 0, 'now');
    l.offer(good(6), 't', 0, 'now');
    l.finishInFlight(reformed);
    assert.equal(
      l.takeNext()?.deduplicationToken,
      't:0:5-6',
      'normal limits again after the boundary',
    );
  });
});
