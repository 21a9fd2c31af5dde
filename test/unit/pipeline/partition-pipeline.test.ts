/**
 * One partition's pipeline with the real steps and a delivery on fakes
 * (test/fixtures/deliver): one batch in flight at a time, refusal as backpressure, what a
 * terminated pipeline gives back.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BufferBudget } from '../../../src/batch/buffer-budget.ts';
import { MessageDecoder } from '../../../src/decode/decode-message.ts';
import { passThrough } from '../../../src/enrich/enrich-stage.ts';
import { createMessageSteps } from '../../../src/pipeline/message-steps.ts';
import { PartitionPipeline } from '../../../src/pipeline/partition-pipeline.ts';
import { decodeConfig } from '../../fixtures/decode/decode-config.ts';
import {
  fakeDelivery,
  writes,
  type FakeDeliveryOptions,
} from '../../fixtures/deliver/fake-delivery.ts';
import { eventMessage } from '../../fixtures/batch/messages.ts';

const good = eventMessage;
const context = { nowMs: Date.now(), ingestedAt: '2026-12-04 00:00:00.000' };

function pipeline(
  maxRows: number,
  options: FakeDeliveryOptions = {},
  budget = new BufferBudget(1 << 30),
) {
  const fake = fakeDelivery(options);
  const decoder = new MessageDecoder(decodeConfig({ format: 'json' }), undefined);
  const p = new PartitionPipeline(
    { topic: 't', partition: 0, offset: 0n, namespace: 'p~aa' },
    1,
    {
      steps: createMessageSteps(decoder, passThrough),
      batcher: { limits: { maxRows, maxBytes: 1 << 20, maxAgeMs: 60_000 }, budget, now: Date.now },
      delivery: fake.deps,
    },
    () => true,
  );
  return { p, budget, ...fake };
}

/** Lets the fake delivery run to completion. */
async function settle(p: PartitionPipeline): Promise<void> {
  for (let i = 0; i < 50 && p.delivering; i++) await p.join();
}

describe('PartitionPipeline', () => {
  /** The positions committed without a pending range (landed batches, moves past markers). */
  const landedCommits = (log: Parameters<typeof writes>[0]): string[] =>
    writes(log)
      .filter((s) => s.kind === 'commit' && !(s.metadata ?? '').includes('pending'))
      .map((s) => (s.kind === 'commit' ? s.offset : ''));
  async function untilIdle(p: PartitionPipeline): Promise<void> {
    for (let i = 0; i < 50 && !p.idle; i++) {
      p.poll();
      await p.join();
    }
  }

  test('records read past the last message (a transaction marker): committed past once the batch landed', async () => {
    const { p, log } = pipeline(2);
    for (let o = 0; o < 2; o++) assert.equal(p.submit(good(o), context), 'accepted');
    p.readThrough(0n, 2n);
    await untilIdle(p);
    p.poll();
    await untilIdle(p);
    assert.deepEqual(landedCommits(log), ['2', '3']);
    assert.equal(p.submit(good(2), context), 'skipped', 'a marker is never a message');
  });

  test('a fetch of only aborted records while a batch is open: moved past after that batch, never before', async () => {
    const { p, log } = pipeline(5);
    assert.equal(p.submit(good(0), context), 'accepted');
    p.readThrough(1n, 9n);
    p.poll();
    await p.join();
    assert.deepEqual(landedCommits(log), [], 'the open batch holds offset 0: nothing moves');
    p.poll(true);
    await untilIdle(p);
    p.poll();
    await untilIdle(p);
    assert.deepEqual(landedCommits(log), ['1', '10']);
    assert.equal(p.submit(good(10), context), 'accepted');
  });

  test('records read after a gap of offsets never seen: nothing is moved past', async () => {
    const { p, log } = pipeline(1);
    assert.equal(p.submit(good(0), context), 'accepted');
    p.readThrough(5n, 9n);
    await untilIdle(p);
    p.poll();
    await untilIdle(p);
    assert.deepEqual(landedCommits(log), ['1']);
  });

  test('batches are delivered one at a time, in offset order, each committed past', async () => {
    const { p, log } = pipeline(2);
    for (let o = 0; o < 6; o++) assert.equal(p.submit(good(o), context), 'accepted');
    await settle(p);
    const committed = writes(log)
      .filter((s) => s.kind === 'commit' && !(s.metadata ?? '').includes('pending'))
      .map((s) => (s.kind === 'commit' ? s.offset : ''));
    assert.deepEqual(committed, ['2', '4', '6']);
    assert.equal(p.idle, true);
  });

  test('while a sealed batch waits behind the one in flight, the next message is refused (backpressure)', async () => {
    const { p } = pipeline(2);
    // 0-1 in flight, 2-3 sealed and waiting, 4-5 full in the open batch: 6 cannot go anywhere.
    for (let o = 0; o < 6; o++) assert.equal(p.submit(good(o), context), 'accepted');
    assert.equal(p.accepting, false);
    assert.equal(p.submit(good(6), context), 'refused');
    await settle(p);
    assert.equal(p.accepting, true);
    assert.equal(p.submit(good(6), context), 'accepted', 'the refused offset is taken later');
    assert.equal(p.submit(good(3), context), 'skipped', 'redelivered offsets are skipped');
  });

  test('while ClickHouse refuses its batch, the partition takes nothing new; once it lands, it does', async () => {
    let refusedSeen = false;
    const { p } = pipeline(1, { transientInsertFailures: 3 });
    assert.equal(p.submit(good(0), context), 'accepted');
    for (let i = 0; i < 20 && !refusedSeen; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      refusedSeen = !p.accepting;
    }
    assert.ok(refusedSeen, 'an insert retry makes the pipeline refuse');
    await settle(p);
    assert.equal(p.accepting, true);
  });

  test('terminate gives back every byte held (open, sealed and in flight) exactly once', async () => {
    const budget = new BufferBudget(1 << 30);
    const { p } = pipeline(2, {}, budget);
    for (let o = 0; o < 5; o++) p.submit(good(o), context);
    assert.ok(budget.heldBytes > 0);
    assert.equal(p.delivering, true);
    p.terminate();
    assert.equal(budget.heldBytes, 0);
    await settle(p);
    assert.equal(
      budget.heldBytes,
      0,
      'the in-flight batch finishing later is not given back twice',
    );
    assert.equal(p.stillOwned(), false);
  });

  test('a delivery that fails unexpectedly surfaces on the next poll, and nothing more is delivered', async () => {
    const { p, log } = pipeline(1, { deadLetterError: new Error('a bug') });
    const bad = { ...good(0), value: Buffer.from('not json') };
    p.submit(bad, context);
    p.submit(good(1), context);
    await settle(p);
    assert.throws(() => p.poll(), /a bug/);
    assert.equal(
      writes(log).some((s) => s.kind === 'insert' && s.token.includes(':1-1')),
      false,
    );
  });
});
