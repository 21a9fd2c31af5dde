import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { partitionLag } from '../../../src/consume/lag-reader.ts';
import { summarizeKafkaEngineLag } from '../../../src/kafka-engine/lag/summarize-kafka-engine-lag.ts';

describe('summarizeKafkaEngineLag', () => {
  test('broker lag per partition joined with the engine consumers’ positions', () => {
    const partitions = [
      partitionLag('t', 0, { logStart: 0n, logEnd: 100n, committed: 60n }, true),
      partitionLag('t', 1, { logStart: 0n, logEnd: 50n, committed: undefined }, true),
    ];
    const lag = summarizeKafkaEngineLag(
      {
        groupId: 'g',
        state: 'Stable',
        members: 1,
        partitions,
        totalLag: partitions.reduce((s, x) => s + x.lag, 0n),
        readAtMs: 1,
      },
      [
        {
          consumerId: 'c1',
          assignments: [{ topic: 't', partition: 0, currentOffset: 80n }],
          exceptions: [{ atSeconds: 1_767_225_600, text: 'Local: Broker transport failure' }],
          messagesRead: 80,
          commits: 3,
          lastPollSeconds: 1_767_225_601,
          lastCommitSeconds: 1_767_225_601,
          lastRebalanceSeconds: 1_767_225_500,
          rebalanceAssignments: 1,
          rebalanceRevocations: 0,
          isCurrentlyUsed: true,
        },
      ],
    );
    assert.equal(lag.totalLag, 90n);
    assert.deepEqual(
      lag.partitions.map((x) => [x.partition, x.lag, x.engineOffset, x.inFlight]),
      [
        [0, 40n, 80n, 20n],
        [1, 50n, undefined, 0n],
      ],
    );
    assert.deepEqual(lag.unassigned, ['t[1]']);
    assert.equal(lag.consumers, 1);
    assert.equal(
      lag.exceptions[0],
      'c1 at 2026-01-01T00:00:00.000Z: Local: Broker transport failure',
    );
  });
});
