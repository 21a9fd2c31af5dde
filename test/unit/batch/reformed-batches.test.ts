import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ReformedCase } from '../../../src/batch/reformed-range.ts';
import type { DecodeConfig } from '../../../src/config/schema.ts';
import type { PendingRange } from '../../../src/commit/pending-range.ts';
import { BufferBudget } from '../../../src/batch/buffer-budget.ts';
import { BatcherHarness } from '../../fixtures/batch/batcher-harness.ts';
import { eventMessage } from '../../fixtures/batch/messages.ts';

interface LaneIdentity {
  readonly namespace?: string;
  readonly logEnd?: bigint;
}

const decode: DecodeConfig = {
  format: 'json',
  avroSchemaFile: 'schemas/avro/event.avsc',
  avroSchemaIds: {},
  maxMessageBytes: 1 << 20,
  maxPropertiesBytes: 1 << 16,
  maxDepth: 64,
  maxKeys: 10_000,
  maxStringLength: 256 * 1024,
  maxFutureSkewMs: 3_600_000,
  timestampSkewPolicy: 'reject',
};

function lane(
  start: bigint,
  pending: PendingRange | undefined,
  identity: LaneIdentity = {},
  seen: ReformedCase[] = [],
): BatcherHarness {
  return new BatcherHarness(
    { topic: 't', partition: 0, offset: start, recorded: pending, ...identity },
    {
      limits: { maxRows: 3, maxBytes: 1 << 20, maxAgeMs: 60_000 },
      budget: new BufferBudget(1 << 30),
      now: Date.now,
      reportReformed: (c) => seen.push(c),
    },
    decode,
  );
}

const msg = eventMessage;

const offerAll = (l: BatcherHarness, offsets: number[]): string[] =>
  offsets.map((o) => l.offer(msg(o)));

describe('PartitionBatcher re-forming a recorded range', () => {
  test('the same range comes back under the recorded token, namespace included', () => {
    const l = lane(0n, { first: 0n, last: 4n, namespace: 'p~aa' }, { namespace: 'p~bb' });
    offerAll(l, [0, 1, 2, 3, 4, 5]);
    const batch = l.takeNext();
    assert.equal(batch?.deduplicationToken, 'p~aa/t:0:0-4');
    assert.equal(batch?.reformed, undefined);
  });

  test('a v1 range is re-formed under its v1 token; later ranges use the lane namespace', () => {
    const l = lane(0n, { first: 0n, last: 4n }, { namespace: 'p~bb' });
    offerAll(l, [0, 1, 2, 3, 4]);
    const first = l.takeNext();
    assert.equal(first?.deduplicationToken, 't:0:0-4');
    assert.ok(first);
    l.finishInFlight(first);
    offerAll(l, [5, 6, 7]);
    assert.equal(l.takeNext()?.deduplicationToken, 'p~bb/t:0:5-7');
  });

  test('head vanished: the re-formed rest is marked, never given a fresh token silently', () => {
    const seen: ReformedCase[] = [];
    const l = lane(2n, { first: 0n, last: 4n, namespace: 'p~aa' }, { namespace: 'p~aa' }, seen);
    offerAll(l, [2, 3, 4]);
    const batch = l.takeNext();
    assert.deepEqual([batch?.firstOffset, batch?.lastOffset], [2n, 4n]);
    assert.equal(batch?.reformed?.case, 'head_vanished');
    assert.equal(batch?.reformed?.recordedToken, 'p~aa/t:0:0-4');
    assert.deepEqual(seen, ['head_vanished']);
  });

  test('tail compacted away: the message past the recorded end is not part of the range', () => {
    const seen: ReformedCase[] = [];
    const l = lane(0n, { first: 0n, last: 4n, namespace: 'p~aa' }, { namespace: 'p~aa' }, seen);
    // 4 no longer exists; 7 is the next message in the log.
    assert.deepEqual(offerAll(l, [0, 1, 2, 3, 7]), Array(5).fill('accepted'));
    const reformed = l.takeNext();
    assert.deepEqual([reformed?.firstOffset, reformed?.lastOffset], [0n, 3n]);
    assert.equal(reformed?.reformed?.case, 'tail_vanished');
    assert.equal(reformed?.rows.length, 4, 'ignores maxRows: the range is fixed');
    assert.deepEqual(seen, ['tail_vanished']);
    assert.ok(reformed);
    l.finishInFlight(reformed);
    l.sealIfDue(true);
    const next = l.takeNext();
    assert.deepEqual([next?.firstOffset, next?.lastOffset], [7n, 7n], 'past the end: new range');
    assert.equal(next?.reformed, undefined);
    assert.equal(next?.deduplicationToken, 'p~aa/t:0:7-7');
  });

  test('the log ends before the recorded end: the lane seals at the log end instead of waiting', () => {
    const seen: ReformedCase[] = [];
    const l = lane(0n, { first: 0n, last: 9n, namespace: 'p~aa' }, { namespace: 'p~aa' }, seen);
    offerAll(l, [0, 1, 2]);
    assert.equal(l.logEndsAt(20n), true);
    assert.equal(l.ready, undefined, 'log goes on past the boundary: keep waiting');
    offerAll(l, [3, 4]);
    assert.equal(l.logEndsAt(5n), true);
    const batch = l.takeNext();
    assert.deepEqual([batch?.firstOffset, batch?.lastOffset], [0n, 4n]);
    assert.equal(batch?.reformed?.case, 'tail_vanished');
    // Messages written later at offsets the recorded range once had are checked too.
    offerAll(l, [5, 6, 7]);
    assert.ok(batch);
    l.finishInFlight(batch);
    const later = l.takeNext();
    assert.deepEqual([later?.firstOffset, later?.lastOffset], [5n, 7n]);
    assert.notEqual(later?.reformed, undefined, 'inside the recorded range: checked');
    assert.deepEqual(seen, ['tail_vanished'], 'one re-formed range, counted once');
  });

  test('a log end known at join bounds the range before anything is fetched past it', () => {
    const l = lane(0n, { first: 0n, last: 9n, namespace: 'p~aa' }, { logEnd: 3n });
    offerAll(l, [0, 1, 2, 3]);
    const batch = l.takeNext();
    assert.deepEqual([batch?.firstOffset, batch?.lastOffset], [0n, 2n]);
  });

  test('the whole recorded range vanished: counted, nothing sealed for it', () => {
    const seen: ReformedCase[] = [];
    const l = lane(0n, { first: 0n, last: 4n, namespace: 'p~aa' }, {}, seen);
    offerAll(l, [8]);
    assert.deepEqual(seen, ['range_vanished']);
    l.sealIfDue(true);
    const batch = l.takeNext();
    assert.deepEqual([batch?.firstOffset, batch?.lastOffset, batch?.reformed], [8n, 8n, undefined]);
  });

  test('messages below the start (a reset kafkajs made) are skipped, not tracked', () => {
    const l = lane(100n, undefined);
    assert.deepEqual(offerAll(l, [5, 6]), ['skipped', 'skipped']);
    assert.equal(l.batcher.idle, true);
  });
});
