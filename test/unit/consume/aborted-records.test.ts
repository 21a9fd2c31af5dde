import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hideAbortedRecords, type FetchedRecord } from '../../../src/consume/aborted-records.ts';

const data = (offset: number, producerId: string, inTransaction = true): FetchedRecord => ({
  offset: String(offset),
  key: null,
  isControlRecord: false,
  batchContext: { producerId, inTransaction },
});
const marker = (offset: number, producerId: string, type: 0 | 1): FetchedRecord => ({
  offset: String(offset),
  key: Buffer.from([0, 0, 0, type]),
  isControlRecord: true,
  batchContext: { producerId, inTransaction: true },
});
const visible = (records: FetchedRecord[]): string[] =>
  records.filter((r) => r.isControlRecord !== true).map((r) => r.offset);

test('the broker lists aborted transactions in abort order: every aborted record is hidden', () => {
  // A (p1) 0-1, B (p2) 2-3, C (p3) 4 committed, B aborted at 5, A 6, C's commit 7, A aborted at 8.
  const messages = [
    data(0, 'p1'),
    data(1, 'p1'),
    data(2, 'p2'),
    data(3, 'p2'),
    data(4, 'p3'),
    marker(5, 'p2', 0),
    data(6, 'p1'),
    marker(7, 'p3', 1),
    marker(8, 'p1', 0),
    data(9, 'p9', false),
  ];
  const partition = {
    abortedTransactions: [
      { producerId: 'p2', firstOffset: '2' },
      { producerId: 'p1', firstOffset: '0' },
    ],
    messages,
  };
  hideAbortedRecords(partition);
  assert.deepEqual(visible(messages), ['4', '9']);
  assert.deepEqual(partition.abortedTransactions, []);
});

test('a fetch starting inside two aborted transactions hides both from its first record on', () => {
  const messages = [data(10, 'p2'), data(11, 'p1'), marker(12, 'p1', 0), data(13, 'p1')];
  hideAbortedRecords({
    abortedTransactions: [
      { producerId: 'p1', firstOffset: '3' },
      { producerId: 'p2', firstOffset: '7' },
    ],
    messages,
  });
  // p1's later record follows its abort marker: a new transaction, not aborted.
  assert.deepEqual(visible(messages), ['13']);
});

test('a producer aborted, then committing: only the aborted transaction is hidden', () => {
  const messages = [
    data(0, 'p1'),
    marker(1, 'p1', 0),
    data(2, 'p1'),
    marker(3, 'p1', 1),
    data(4, 'p1'),
    marker(5, 'p1', 0),
  ];
  hideAbortedRecords({
    abortedTransactions: [
      { producerId: 'p1', firstOffset: '4' },
      { producerId: 'p1', firstOffset: '0' },
    ],
    messages,
  });
  assert.deepEqual(visible(messages), ['2']);
});

test('no aborted transactions listed: nothing changes', () => {
  const messages = [data(0, 'p1'), data(1, 'p1', false)];
  hideAbortedRecords({ abortedTransactions: [], messages });
  hideAbortedRecords({ messages });
  assert.deepEqual(visible(messages), ['0', '1']);
});
