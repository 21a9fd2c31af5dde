import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lagJson, lagTable } from '../../../src/cli/lag-command.ts';
import type { GroupLag } from '../../../src/consume/lag-reader.ts';

const lag: GroupLag = {
  groupId: 'hanzo-ingest',
  state: 'Stable',
  members: 3,
  totalLag: 1_234_567n,
  readAtMs: Date.UTC(2026, 0, 2, 3, 4, 5),
  partitions: [
    {
      topic: 'hanzo_events',
      partition: 0,
      logStart: 0n,
      logEnd: 1_234_567n,
      committed: undefined,
      lag: 1_234_567n,
    },
    { topic: 'hanzo_events', partition: 10, logStart: 5n, logEnd: 90n, committed: 90n, lag: 0n },
  ],
};

test('the table aligns text left and numbers right, with the total last', () => {
  assert.equal(
    lagTable(lag),
    [
      'group hanzo-ingest: Stable, 3 member(s)',
      'TOPIC         PARTITION  COMMITTED  LOG-END      LAG',
      'hanzo_events          0          -  1234567  1234567',
      'hanzo_events         10         90       90        0',
      'TOTAL                                        1234567',
    ].join('\n'),
  );
});

test('JSON: plain numbers, null when never committed', () => {
  assert.deepEqual(lagJson(lag), {
    groupId: 'hanzo-ingest',
    state: 'Stable',
    members: 3,
    totalLag: 1_234_567,
    readAt: '2026-01-02T03:04:05.000Z',
    partitions: [
      {
        topic: 'hanzo_events',
        partition: 0,
        logStart: 0,
        logEnd: 1_234_567,
        committed: null,
        lag: 1_234_567,
      },
      { topic: 'hanzo_events', partition: 10, logStart: 5, logEnd: 90, committed: 90, lag: 0 },
    ],
  });
});
