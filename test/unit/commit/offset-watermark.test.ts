import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OffsetWatermark } from '../../../src/commit/offset-watermark.ts';
import { decodePendingRange, encodePendingRangeV1 } from '../../../src/commit/pending-range.ts';

describe('OffsetWatermark', () => {
  test('moves only over a contiguous prefix of landed ranges', () => {
    const w = new OffsetWatermark(100n);
    w.track(100n, 199n);
    w.track(200n, 299n);
    w.track(300n, 349n);
    assert.equal(
      w.complete(200n, 299n),
      undefined,
      'a later batch landing first must not move the watermark',
    );
    assert.equal(w.committable, 100n);
    assert.equal(w.complete(100n, 199n), 300n, 'the earlier one lands: both are committable');
    assert.equal(w.complete(300n, 349n), 350n);
    assert.equal(w.open, 0);
  });

  test('a failed batch holds the watermark however many later batches land', () => {
    const w = new OffsetWatermark(0n);
    for (let i = 0n; i < 10n; i++) w.track(i * 10n, i * 10n + 9n);
    for (let i = 1n; i < 10n; i++) assert.equal(w.complete(i * 10n, i * 10n + 9n), undefined);
    assert.equal(w.committable, 0n);
    assert.equal(w.complete(0n, 9n), 100n);
  });

  test('gaps Kafka leaves between ranges are bridged; overlaps are refused', () => {
    const w = new OffsetWatermark(0n);
    w.track(5n, 9n); // offsets 0-4 were compacted away
    assert.equal(w.complete(5n, 9n), 10n);
    assert.throws(() => w.track(8n, 12n), RangeError);
    assert.throws(() => w.complete(50n, 60n), RangeError);
  });
});

describe('pending range metadata', () => {
  test('round-trips and only applies at its committed offset', () => {
    const text = encodePendingRangeV1({ first: 1000n, last: 1999n });
    assert.deepEqual(decodePendingRange(text, 1000n), { first: 1000n, last: 1999n });
    assert.deepEqual(
      decodePendingRange(text, 998n),
      { first: 1000n, last: 1999n },
      'a gap before the range is fine',
    );
    assert.equal(decodePendingRange(text, 2000n), undefined, 'already committed past it');
    assert.equal(decodePendingRange('', 1000n), undefined);
    assert.equal(decodePendingRange(null, 1000n), undefined);
    assert.equal(decodePendingRange('hanzo-ingest/v1 pending=garbage', 1000n), undefined);
  });
});
