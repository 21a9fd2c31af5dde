import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OpenBatch, type BatchLimits } from '../../../src/batch/open-batch.ts';
import { heldBytes, messageBytes, type SourceMessage } from '../../../src/batch/source-message.ts';

function source(offset: number, valueBytes: number): SourceMessage {
  return {
    topic: 't',
    partition: 0,
    offset: String(offset),
    key: Buffer.from('k'),
    value: Buffer.alloc(valueBytes, 0x7b),
    headers: { 'x-trace': 'abcdef' },
    timestampMs: 0,
  };
}
const badJson = { reason: 'invalid_json', stage: 'decode', message: 'bad' } as const;

describe('open batch: dead letters count toward the caps like rows', () => {
  test('a run of dead letters is full at maxRows', () => {
    const limits: BatchLimits = { maxRows: 3_000, maxBytes: 1 << 30, maxAgeMs: 1_000 };
    const batch = new OpenBatch('t', 0, 0);
    for (let i = 0; i < 2_999; i++) batch.addDeadLetter(source(i, 2_048), badJson);
    assert.equal(batch.isFull(limits), false);
    assert.equal(batch.wouldOverflow(10, limits), false);
    batch.addDeadLetter(source(2_999, 2_048), badJson);
    assert.equal(batch.isFull(limits), true);
    assert.equal(batch.wouldOverflow(10, limits), true);
    assert.equal(batch.rowCount, 0);
    assert.equal(batch.seal(0n).rejected.length, 3_000);
  });

  test("a dead letter's value, key and headers count toward maxBytes; rows and letters add up", () => {
    const one = source(0, 2_048);
    assert.equal(messageBytes(one), 2_048 + 1 + 'x-trace'.length + 'abcdef'.length);
    const limits: BatchLimits = {
      maxRows: 1_000_000,
      maxBytes: 10 * messageBytes(one),
      maxAgeMs: 1_000,
    };
    const batch = new OpenBatch('t', 0, 0);
    batch.addRow(Buffer.from('x'.repeat(messageBytes(one))), source(0, 10), 202612);
    for (let i = 1; i < 9; i++) batch.addDeadLetter(source(i, 2_048), badJson);
    assert.equal(batch.cappedBytes, 9 * messageBytes(one));
    assert.equal(batch.bytes, messageBytes(one), 'bytes stays the rows the insert carries');
    assert.equal(batch.wouldOverflow(messageBytes(one), limits), false);
    assert.equal(batch.wouldOverflow(messageBytes(one) + 1, limits), true);
    batch.addDeadLetter(source(9, 2_048), badJson);
    assert.equal(batch.isFull(limits), true);
  });

  test('the memory budget counts a dead letter with its whole message, a row with its bytes only', () => {
    const withHeaders = source(0, 100);
    const without = { ...withHeaders, headers: undefined };
    assert.equal(
      heldBytes(withHeaders, undefined) - heldBytes(without, undefined),
      'x-trace'.length + 6,
    );
    // A row's message is read again from Kafka if ClickHouse refuses it: not held.
    assert.equal(heldBytes(withHeaders, 500), heldBytes(without, 500));
    assert.equal(heldBytes(source(0, 5_000), 500), heldBytes(source(0, 10), 500));
    assert.ok(heldBytes(withHeaders, 500) < 500 + messageBytes(withHeaders));
  });
});
