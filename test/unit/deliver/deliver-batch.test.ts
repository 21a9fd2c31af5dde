/**
 * The delivery sequence itself, on fakes of its services (test/fixtures/deliver): pending
 * commit → insert → dead letters → commit, what happens when ownership ends at each point,
 * retries and splits. The integration and chaos suites check the same on the real stack.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OpenBatch } from '../../../src/batch/open-batch.ts';
import {
  deduplicationToken,
  withIdentity,
  type SealedBatch,
} from '../../../src/batch/sealed-batch.ts';
import { deliverBatch } from '../../../src/deliver/deliver-batch.ts';
import { MAX_READ_PASSES } from '../../../src/deliver/recover-originals.ts';
import type { PartitionOwner } from '../../../src/deliver/partition-owner.ts';
import { OwnershipLostError } from '../../../src/errors.ts';
import { fakeDelivery, writes, type DeliveryStep } from '../../fixtures/deliver/fake-delivery.ts';
import { heldMessage } from '../../fixtures/batch/messages.ts';

const NS = 'p~aa';

const source = heldMessage;

/** Offsets 10.. as rows, except `deadLetters` (decode's) and rows named in `poison`. */
function batchOf(count: number, options: { deadLetters?: number[]; poison?: number[] } = {}) {
  const open = new OpenBatch('t', 0, Date.now());
  for (let offset = 10; offset < 10 + count; offset++) {
    if (options.deadLetters?.includes(offset))
      open.addDeadLetter(source(offset), {
        reason: 'invalid_json',
        stage: 'decode',
        message: 'invalid JSON',
      });
    else {
      const text = options.poison?.includes(offset) ? `BAD${offset}` : `ok${offset}`;
      open.addRow(Buffer.from(`["${text}"]\n`), source(offset), 202612);
    }
  }
  const sealed = open.seal(5n);
  return withIdentity(
    sealed,
    deduplicationToken('t', 0, sealed.firstOffset, sealed.lastOffset, NS),
  );
}

function owner(
  stillOwned: () => boolean = () => true,
): PartitionOwner & { abort: AbortController } {
  const abort = new AbortController();
  return {
    topic: 't',
    partition: 0,
    namespace: NS,
    signal: abort.signal,
    stillOwned,
    abort,
  };
}

const pending = (batch: SealedBatch, dlq?: string): DeliveryStep & { kind: 'commit' } => ({
  kind: 'commit',
  offset: '5',
  metadata: `hanzo-ingest/v2 ns=${encodeURIComponent(NS)} pending=${batch.firstOffset}-${batch.lastOffset}${dlq === undefined ? '' : ` dlq=${dlq}`}`,
});
const final = (batch: SealedBatch): DeliveryStep => ({
  kind: 'commit',
  offset: String(batch.lastOffset + 1n),
  metadata: `hanzo-ingest/v2 ns=${encodeURIComponent(NS)}`,
});

describe('deliverBatch: the order that makes a batch effectively exactly once', () => {
  test('rows only: pending mark at the position before the batch → insert under its token → commit after it', async () => {
    const batch = batchOf(4);
    const { deps, log, rowsInTable } = fakeDelivery();
    assert.equal(await deliverBatch(owner(), batch, deps), 'committed');
    assert.deepEqual(writes(log), [
      pending(batch),
      { kind: 'insert', token: `${NS}/t:0:10-13`, rows: 4 },
      final(batch),
    ]);
    assert.equal(rowsInTable(), 4);
    assert.deepEqual(
      log.filter((s) => s.kind === 'event').map((s) => (s.kind === 'event' ? s.name : '')),
      ['landed'],
    );
  });

  test('dead letters: after the insert the range is claimed `dlq=due`, the letters go with the `done` mark, then the commit', async () => {
    const batch = batchOf(4, { deadLetters: [11] });
    const { deps, log } = fakeDelivery();
    assert.equal(await deliverBatch(owner(), batch, deps), 'committed');
    assert.deepEqual(writes(log), [
      pending(batch),
      { kind: 'insert', token: `${NS}/t:0:10-13`, rows: 3 },
      pending(batch, 'due'),
      {
        kind: 'dead-letters',
        offsets: ['11'],
        metadata: pending(batch, 'done').metadata,
      },
      final(batch),
    ]);
  });

  test('a re-formed range whose letters an earlier owner wrote (`dlq=done`) never writes them again', async () => {
    const formed = batchOf(3, { deadLetters: [10] });
    const batch: SealedBatch = {
      ...formed,
      recorded: { first: 10n, last: 12n, namespace: NS, deadLetters: 'done' },
    };
    const { deps, log } = fakeDelivery();
    assert.equal(await deliverBatch(owner(), batch, deps), 'committed');
    assert.deepEqual(writes(log), [
      pending(batch, 'done'),
      { kind: 'insert', token: `${NS}/t:0:10-12`, rows: 2 },
      final(batch),
    ]);
  });

  test('a transient insert failure retries the same rows under the same token, reported each time', async () => {
    const batch = batchOf(3);
    const { deps, log, rowsInTable } = fakeDelivery({ transientInsertFailures: 2 });
    assert.equal(await deliverBatch(owner(), batch, deps), 'committed');
    const names = log
      .filter((s) => s.kind === 'event')
      .map((s) => (s.kind === 'event' ? s.name : ''));
    assert.deepEqual(names, ['insertRetried', 'insertRetried', 'landed']);
    assert.deepEqual(writes(log), [
      pending(batch),
      { kind: 'insert', token: `${NS}/t:0:10-12`, rows: 3 },
      final(batch),
    ]);
    assert.equal(rowsInTable(), 3);
  });

  test('a row ClickHouse refuses is split out and dead-lettered; every other row lands once', async () => {
    const batch = batchOf(4, { poison: [12] });
    const { deps, log, rowsInTable } = fakeDelivery({ poison: 'BAD' });
    assert.equal(await deliverBatch(owner(), batch, deps), 'committed');
    assert.equal(rowsInTable(), 3);
    const letters = writes(log).filter((s) => s.kind === 'dead-letters');
    assert.deepEqual(
      letters.map((s) => (s.kind === 'dead-letters' ? s.offsets : [])),
      [['12']],
    );
    assert.deepEqual(writes(log).at(-1), final(batch));
  });

  test("refused rows' messages are read again from Kafka, all in one read after the insert: the dead letters carry them as they arrived", async () => {
    const batch = batchOf(6, { poison: [11, 14], deadLetters: [12] });
    const { deps, log, deadLetters } = fakeDelivery({ poison: 'BAD' });
    assert.equal(await deliverBatch(owner(), batch, deps), 'committed');
    const kinds = writes(log).map((s) => s.kind);
    assert.deepEqual(kinds.slice(kinds.indexOf('reread')), [
      'reread',
      'commit',
      'dead-letters',
      'commit',
    ]);
    assert.deepEqual(
      writes(log).find((s) => s.kind === 'reread'),
      { kind: 'reread', offsets: ['11', '14'] },
    );
    assert.deepEqual(
      deadLetters.map((l) => [
        l.source.offset,
        l.source.value?.toString(),
        l.deadLetter.reason,
        l.rowFormat,
      ]),
      [
        ['12', 'm12', 'invalid_json', undefined],
        ['11', 'm11', 'rejected_by_clickhouse', undefined],
        ['14', 'm14', 'rejected_by_clickhouse', undefined],
      ],
    );
  });

  test('a refused row whose message is gone from Kafka still gets its dead letter: the row as inserted, its format named', async () => {
    const batch = batchOf(4, { poison: [11, 12] });
    const { deps, deadLetters, rowsInTable } = fakeDelivery({
      poison: 'BAD',
      goneFromKafka: ['12'],
    });
    assert.equal(await deliverBatch(owner(), batch, deps), 'committed');
    assert.equal(rowsInTable(), 2);
    assert.deepEqual(
      deadLetters.map((l) => [l.source.offset, l.source.value?.toString(), l.rowFormat]),
      [
        ['11', 'm11', undefined],
        ['12', 'head:["BAD12"]\n', 'TestRows'],
      ],
    );
  });

  test('reading the messages again fails: retried until it succeeds, the commit waits for the dead letters', async () => {
    const batch = batchOf(3, { poison: [10] });
    const { deps, log, deadLetters } = fakeDelivery({ poison: 'BAD', rereadFailures: 3 });
    assert.equal(await deliverBatch(owner(), batch, deps), 'committed');
    assert.equal(
      log.filter((s) => s.kind === 'event' && s.name === 'originalsReadRetried').length,
      3,
    );
    assert.deepEqual(
      deadLetters.map((l) => l.source.value?.toString()),
      ['m10'],
    );
    assert.deepEqual(writes(log).at(-1), final(batch));
  });

  test('offsets a read passed over (its position jumped) are read again, only those', async () => {
    const batch = batchOf(6, { poison: [10, 12, 15] });
    const { deps, log, deadLetters } = fakeDelivery({
      poison: 'BAD',
      passedOver: { offsets: ['12', '15'], times: 1 },
    });
    assert.equal(await deliverBatch(owner(), batch, deps), 'committed');
    assert.deepEqual(
      log.filter((s) => s.kind === 'reread').map((s) => (s.kind === 'reread' ? s.offsets : [])),
      [
        ['10', '12', '15'],
        ['12', '15'],
      ],
    );
    assert.deepEqual(
      deadLetters.map((l) => [l.source.value?.toString(), l.rowFormat]),
      [
        ['m10', undefined],
        ['m12', undefined],
        ['m15', undefined],
      ],
    );
  });

  test(`offsets every read passes over (a compaction gap): after ${MAX_READ_PASSES} reads they count as gone, the partition moves on`, async () => {
    const batch = batchOf(3, { poison: [11] });
    const { deps, log, deadLetters } = fakeDelivery({
      poison: 'BAD',
      passedOver: { offsets: ['11'] },
    });
    assert.equal(await deliverBatch(owner(), batch, deps), 'committed');
    assert.equal(log.filter((s) => s.kind === 'reread').length, MAX_READ_PASSES);
    assert.deepEqual(
      deadLetters.map((l) => [l.source.offset, l.rowFormat]),
      [['11', 'TestRows']],
    );
    assert.deepEqual(writes(log).at(-1), final(batch));
  });

  test('dead letters an earlier owner wrote (dlq=done): the messages are not read again', async () => {
    const batch = batchOf(3, { poison: [11] });
    const recorded = withIdentity(batch, batch.deduplicationToken, undefined, {
      first: batch.firstOffset,
      last: batch.lastOffset,
      namespace: NS,
      deadLetters: 'done',
    });
    const { deps, log, deadLetters } = fakeDelivery({ poison: 'BAD' });
    assert.equal(await deliverBatch(owner(), recorded, deps), 'committed');
    assert.equal(deadLetters.length, 0);
    assert.ok(!log.some((s) => s.kind === 'reread'));
  });
});

describe('deliverBatch: ownership lost at each point', () => {
  test('before the pending commit: nothing is written', async () => {
    const batch = batchOf(3);
    let owned = false;
    const { deps, log } = fakeDelivery();
    assert.equal(
      await deliverBatch(
        owner(() => owned),
        batch,
        deps,
      ),
      'lost',
    );
    assert.deepEqual(log, []);
    owned = true;
  });

  test('after the pending commit, before the insert: no insert, no commit past the batch', async () => {
    const batch = batchOf(3);
    let owned = true;
    const { deps, log } = fakeDelivery({
      before: (k) => {
        if (k === 'commit') owned = false; // the pending commit goes out, then the group moves on
      },
    });
    assert.equal(
      await deliverBatch(
        owner(() => owned),
        batch,
        deps,
      ),
      'lost',
    );
    assert.deepEqual(writes(log), [pending(batch)]);
  });

  test('while the dead letters are written: the batch is not committed past', async () => {
    const batch = batchOf(3, { deadLetters: [12] });
    const { deps, log } = fakeDelivery({
      deadLetterError: new OwnershipLostError('t', 0),
    });
    assert.equal(await deliverBatch(owner(), batch, deps), 'lost');
    assert.deepEqual(writes(log), [
      pending(batch),
      { kind: 'insert', token: `${NS}/t:0:10-12`, rows: 2 },
      pending(batch, 'due'),
    ]);
  });

  test('at the final commit (the generation is over): lost, the next owner re-forms the range', async () => {
    const batch = batchOf(3);
    const generationOver = Object.assign(new Error('The coordinator is not aware of this member'), {
      type: 'UNKNOWN_MEMBER_ID',
    });
    const { deps, log, rowsInTable } = fakeDelivery({
      failCommit: { at: 2, error: generationOver },
    });
    assert.equal(await deliverBatch(owner(), batch, deps), 'lost');
    assert.equal(rowsInTable(), 3, 'inserted under the recorded token: a repeat is dropped');
    assert.deepEqual(writes(log), [
      pending(batch),
      { kind: 'insert', token: `${NS}/t:0:10-12`, rows: 3 },
    ]);
  });

  test('aborted while retrying an insert (the pipeline was terminated): lost, nothing committed past', async () => {
    const batch = batchOf(3);
    const o = owner();
    const { deps, log } = fakeDelivery({
      transientInsertFailures: 1_000,
      before: (k) => {
        if (k === 'event') o.abort.abort();
      },
    });
    assert.equal(await deliverBatch(o, batch, deps), 'lost');
    assert.deepEqual(writes(log), [pending(batch)]);
  });

  test('an unexpected failure is thrown, not taken for a lost partition', async () => {
    const batch = batchOf(3, { deadLetters: [10] });
    const { deps } = fakeDelivery({ deadLetterError: new Error('a bug') });
    await assert.rejects(deliverBatch(owner(), batch, deps), /a bug/);
  });
});
