import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encodePendingRangeV1 } from '../../../src/commit/pending-range.ts';
import {
  planOffsetHandover,
  type HandoverPartition,
} from '../../../src/kafka-engine/handover/plan-offset-handover.ts';

const p = (over: Partial<HandoverPartition>): HandoverPartition => ({
  topic: 't',
  partition: 0,
  logEnd: 1000n,
  committed: 1000n,
  metadata: null,
  landedEnd: 1000n,
  ...over,
});

describe('planOffsetHandover', () => {
  test('committed offsets that match what landed need nothing', () => {
    assert.deepEqual(planOffsetHandover([p({}), p({ partition: 1, landedEnd: 900n })]), {
      moves: [],
      blockers: [],
      notes: [],
    });
  });

  test('rows landed beyond the committed offset: move past them', () => {
    const plan = planOffsetHandover([p({ committed: 800n, landedEnd: 950n })]);
    assert.deepEqual(plan.moves, [{ topic: 't', partition: 0, from: 800n, to: 950n }]);
    const never = planOffsetHandover([p({ committed: undefined, landedEnd: 10n })]);
    assert.deepEqual(never.moves, [{ topic: 't', partition: 0, from: undefined, to: 10n }]);
  });

  test('a worker that died mid-range blocks the switch', () => {
    const plan = planOffsetHandover([
      p({
        committed: 500n,
        metadata: encodePendingRangeV1({ first: 500n, last: 599n }),
        landedEnd: 600n,
      }),
    ]);
    assert.deepEqual(plan.moves, []);
    assert.match(
      plan.blockers[0] ?? '',
      /t\[0\]: a worker stopped in the middle of offsets 500-599/,
    );
  });

  test('landed offsets past the log end (a re-created topic) are ignored and reported', () => {
    const plan = planOffsetHandover([p({ logEnd: 10n, committed: 10n, landedEnd: 5000n })]);
    assert.deepEqual(plan.moves, []);
    assert.match(plan.notes[0] ?? '', /topic re-created/);
  });
});
