import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DecodeConfig } from '../../../src/config/schema.ts';
import { decodeConfig } from '../../fixtures/decode/decode-config.ts';
import { BufferBudget } from '../../../src/batch/buffer-budget.ts';
import { staggeredAgeMs } from '../../../src/batch/flush-age.ts';
import { BatcherHarness } from '../../fixtures/batch/batcher-harness.ts';
import { eventMessage } from '../../fixtures/batch/messages.ts';

const decode: DecodeConfig = decodeConfig({
  format: 'json',
  avroSchemaIds: {},
  maxMessageBytes: 1 << 20,
  maxPropertiesBytes: 1 << 16,
  maxFutureSkewMs: 3_600_000,
});

function lane(
  limits = { maxRows: 3, maxBytes: 1 << 20, maxAgeMs: 1_000 },
  pending?: { first: bigint; last: bigint },
  clock = { now: Date.now() },
  budget = new BufferBudget(1 << 30),
  partition = 0,
): BatcherHarness {
  return new BatcherHarness(
    { topic: 't', partition, offset: 0n, recorded: pending },
    { limits, budget, now: () => clock.now },
    decode,
  );
}

const good = eventMessage;
const bad = (offset: number): ReturnType<typeof eventMessage> => ({
  ...good(offset),
  value: Buffer.from('not json'),
});

describe('PartitionBatcher batching', () => {
  test('seals contiguous ranges at maxRows; dead letters ride inside the range and count as rows', () => {
    const l = lane();
    for (const m of [good(0), bad(1), good(2), good(3)]) assert.equal(l.offer(m), 'accepted');
    const first = l.takeNext();
    assert.ok(first);
    assert.deepEqual(
      [first.firstOffset, first.lastOffset, first.rows.length, first.rejected.length],
      [0n, 2n, 2, 1],
    );
    assert.equal(first.deduplicationToken, 't:0:0-2');
    assert.equal(first.rejected[0]?.deadLetter.reason, 'invalid_json');
  });

  test('at most one batch waits behind the one in flight; then the lane is full', () => {
    const l = lane({ maxRows: 2, maxBytes: 1 << 20, maxAgeMs: 1_000 });
    for (let i = 0; i < 2; i++) l.offer(good(i));
    const inFlight = l.takeNext();
    for (let i = 2; i < 4; i++) assert.equal(l.offer(good(i)), 'accepted');
    for (let i = 4; i < 6; i++) assert.equal(l.offer(good(i)), 'accepted');
    assert.equal(l.offer(good(6)), 'full', 'open batch full and one already waiting');
    assert.equal(l.canAccept, false);
    assert.ok(inFlight);
    l.finishInFlight(inFlight);
    const next = l.takeNext();
    assert.deepEqual([next?.firstOffset, next?.lastOffset], [2n, 3n]);
    assert.equal(l.offer(good(6)), 'accepted', 'room again');
  });

  test('maxBytes seals before the row that would overflow; redelivered offsets are skipped', () => {
    const row = good(0);
    const probe = lane({ maxRows: 1, maxBytes: 1 << 20, maxAgeMs: 1_000 });
    probe.offer(row);
    const rowBytes = probe.takeNext()?.bytes ?? 0;
    assert.ok(rowBytes > 100, `one row is ${rowBytes} bytes`);
    const maxBytes = Math.floor(rowBytes * 2.5);
    const l = lane({ maxRows: 1000, maxBytes, maxAgeMs: 1_000 });
    for (let offset = 0; offset < 20 && l.ready === undefined; offset++) {
      l.offer({ ...row, offset: String(offset) });
    }
    const sealed = l.takeNext();
    assert.ok(
      sealed !== undefined && sealed.rows.length === 2 && sealed.bytes <= maxBytes,
      `sealed ${sealed?.rows.length} rows, ${sealed?.bytes} bytes`,
    );
    assert.equal(l.offer(good(0)), 'skipped');
  });

  test('rows are held and counted as their UTF-8 bytes, non-ASCII text included', () => {
    const l = lane({ maxRows: 3, maxBytes: 1 << 20, maxAgeMs: 1_000 });
    const texts = ['ascii', 'Grüße, 東京', '😀 emoji'];
    texts.forEach((text, offset) => {
      const message = good(offset);
      const event = JSON.parse(message.value!.toString()) as Record<string, unknown>;
      l.offer({ ...message, value: Buffer.from(JSON.stringify({ ...event, event: text })) });
    });
    const sealed = l.takeNext();
    assert.ok(sealed);
    const rows = texts.map((_, k) => sealed.rows.bytes(k));
    texts.forEach((text, k) => {
      // RowBinary: the event name's UTF-8 bytes, after their length in bytes (not in units).
      const utf8 = Buffer.from(text, 'utf8');
      const at = rows[k]!.indexOf(utf8);
      assert.ok(at > 0, text);
      assert.equal(rows[k]![at - 1], utf8.length);
    });
    assert.equal(
      sealed.bytes,
      rows.reduce((sum, row) => sum + row.length, 0),
    );
    assert.equal(sealed.bytes, sealed.rows.byteLength);
  });

  test('age flush: a partial batch seals once maxAgeMs has passed', () => {
    const start = Date.now();
    const clock = { now: start };
    const l = lane({ maxRows: 100, maxBytes: 1 << 20, maxAgeMs: 5_000 }, undefined, clock);
    l.offer(good(0));
    clock.now = start + 4_999;
    l.sealIfDue();
    assert.equal(l.ready, undefined);
    clock.now = start + 5_000;
    l.sealIfDue();
    assert.equal(l.takeNext()?.lastOffset, 0n);
  });

  test("partitions' flush ages spread over 80–100 % of maxAgeMs, so they do not seal in lockstep", () => {
    const ages = Array.from({ length: 12 }, (_, p) => staggeredAgeMs(5_000, p));
    assert.equal(ages[0], 5_000);
    assert.ok(
      ages.every((a) => a >= 4_000 && a <= 5_000),
      ages.join(),
    );
    assert.equal(new Set(ages).size, 12, 'no two of 12 partitions share an age');
    const sorted = [...ages].sort((a, b) => a - b);
    const widestGap = Math.max(...sorted.slice(1).map((a, i) => a - sorted[i]!));
    assert.ok(widestGap < 250, `evenly spread: widest gap ${widestGap} ms`);

    const start = Date.now();
    const clock = { now: start };
    const limits = { maxRows: 100, maxBytes: 1 << 20, maxAgeMs: 5_000 };
    const l = lane(limits, undefined, clock, undefined, 3);
    l.offer(good(0));
    clock.now = start + staggeredAgeMs(5_000, 3) - 1;
    l.sealIfDue();
    assert.equal(l.ready, undefined);
    clock.now += 1;
    l.sealIfDue();
    assert.equal(l.takeNext()?.lastOffset, 0n);
  });

  test('a pending range is re-formed exactly, ignoring size limits and age, then batching resumes', () => {
    const clock = { now: Date.now() };
    const l = lane({ maxRows: 2, maxBytes: 1 << 20, maxAgeMs: 10 }, { first: 0n, last: 4n }, clock);
    for (let i = 0; i < 4; i++) l.offer(good(i));
    clock.now += 1_000;
    l.sealIfDue(true);
    assert.equal(l.ready, undefined, 'never sealed before its recorded end, not even when forced');
    l.offer(good(4));
    const reformed = l.takeNext();
    assert.equal(reformed?.deduplicationToken, 't:0:0-4');
    assert.equal(reformed?.rows.length, 5);
    l.offer(good(5));
    l.offer(good(6));
    l.finishInFlight(reformed);
    assert.equal(
      l.takeNext()?.deduplicationToken,
      't:0:5-6',
      'normal limits again after the boundary',
    );
  });
});

describe('PartitionBatcher memory budget', () => {
  const roomy = { maxRows: 1_000, maxBytes: 1 << 20, maxAgeMs: 60_000 };

  test('the budget counts exactly what the lanes hold, and gets it all back', () => {
    const budget = new BufferBudget(1 << 30);
    const lanes = [0, 1].map((p) => lane(roomy, undefined, undefined, budget, p));
    for (let o = 0; o < 50; o++) {
      for (const l of lanes) l.offer(o % 7 === 0 ? bad(o) : good(o));
    }
    const total = (): number => lanes.reduce((n, l) => n + l.memoryBytes, 0);
    assert.ok(budget.heldBytes > 50 * 2 * 100, `held ${budget.heldBytes}`);
    assert.equal(budget.heldBytes, total());
    const [a, b] = lanes;
    assert.ok(a && b);
    a.sealIfDue(true);
    const batch = a.takeNext();
    assert.ok(batch);
    assert.equal(budget.heldBytes, total(), 'sealing and taking move bytes, not count them');
    a.finishInFlight(batch);
    assert.equal(budget.heldBytes, b.memoryBytes, 'a landed batch gives its bytes back');
    a.finishInFlight(batch);
    assert.equal(budget.heldBytes, b.memoryBytes, 'only once');
    b.sealIfDue(true);
    const inFlight = b.takeNext();
    assert.ok(inFlight);
    b.offer(good(50));
    b.drop();
    assert.equal(
      budget.heldBytes,
      0,
      'a dropped lane gives back its open, waiting and in-flight batches',
    );
    b.finishInFlight(inFlight);
    assert.equal(
      budget.heldBytes,
      0,
      'its in-flight batch finishing later is not given back twice',
    );
  });

  test('over budget, a lane refuses the message, ships what it holds, and never passes the limit', () => {
    const probe = new BufferBudget(1 << 30);
    lane(roomy, undefined, undefined, probe).offer(good(0));
    const perMessage = probe.heldBytes;
    const budget = new BufferBudget(perMessage * 10 + perMessage / 2);
    const [a, b] = [0, 1].map((p) => lane(roomy, undefined, undefined, budget, p));
    assert.ok(a && b);
    for (let o = 0; o < 6; o++) assert.equal(a.offer(good(o)), 'accepted');
    for (let o = 0; o < 4; o++) assert.equal(b.offer(good(o)), 'accepted');
    assert.equal(b.offer(good(4)), 'full', 'the 11th message would pass the limit');
    assert.ok(budget.heldBytes <= budget.limitBytes);
    assert.equal(b.ready?.rows.length, 4, 'the refusing lane sealed its open batch to ship it');
    assert.equal(a.offer(good(6)), 'full');
    const shipped = b.takeNext();
    assert.ok(shipped);
    b.finishInFlight(shipped);
    assert.equal(budget.hasRoom, true);
    assert.equal(b.offer(good(4)), 'accepted', 'the refused offset is taken later');
  });

  test('a message larger than the whole budget still moves when nothing else is held', () => {
    const budget = new BufferBudget(16);
    const l = lane(roomy, undefined, undefined, budget);
    assert.equal(l.offer(good(0)), 'accepted');
    assert.equal(l.offer(good(1)), 'full');
  });

  test('a pending range being re-formed is taken whole, whatever the budget', () => {
    const budget = new BufferBudget(16);
    const l = lane(roomy, { first: 0n, last: 4n }, undefined, budget);
    for (let o = 0; o <= 4; o++) assert.equal(l.offer(good(o)), 'accepted');
    assert.deepEqual([l.ready?.firstOffset, l.ready?.lastOffset], [0n, 4n]);
    assert.equal(l.offer(good(5)), 'full', 'then the budget applies again');
  });

  test('held rows and dead letters no longer point into the fetch response', () => {
    const l = lane(roomy);
    const response = Buffer.alloc(64 * 1024);
    const value = Buffer.from(
      JSON.stringify({ team_id: 1, event: 'e', distinct_id: 'u', timestamp: Date.now() }),
    );
    value.copy(response, 100);
    Buffer.from('{not json').copy(response, 1_000);
    l.offer({ ...good(0), value: response.subarray(100, 100 + value.length) });
    l.offer({ ...bad(1), value: response.subarray(1_000, 1_009), key: response.subarray(0, 4) });
    l.sealIfDue(true);
    const batch = l.takeNext();
    const row = batch === undefined ? undefined : Buffer.from(batch.rows.bytes(0));
    const letter = batch?.rejected[0]?.source;
    assert.ok(row !== undefined && row.length > 0 && letter?.value && letter.key);
    // The client reuses its fetch buffers: what the batch holds must not change with them.
    response.fill(0);
    assert.deepEqual(batch?.rows.bytes(0), row);
    assert.deepEqual(letter.value, Buffer.from('{not json'));
    assert.notEqual(letter.value.buffer, response.buffer);
    assert.notEqual(letter.key.buffer, response.buffer);
  });
});
