import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, test } from 'node:test';
import type { Consumer, TopicPartitionOffsetAndMetadata } from 'kafkajs';
import { OffsetCommitter } from '../../../src/commit/offset-committer.ts';
import { OwnershipLostError } from '../../../src/errors.ts';
import { RetryPolicy } from '../../../src/retry/retry-policy.ts';

type CommitBehaviour = (
  offsets: TopicPartitionOffsetAndMetadata[],
  ack: () => void,
) => Promise<void>;

/**
 * The slice of a kafkajs consumer the committer uses, behaving as kafkajs 2.2.4 does:
 * COMMIT_OFFSETS is emitted synchronously once the coordinator acknowledged a commit,
 * before commitOffsets() resolves; a consumer whose runner is not running resolves
 * commitOffsets() without sending anything; once the runner is gone it throws a TypeError.
 */
function consumerThat(behaviour: CommitBehaviour): {
  consumer: Pick<Consumer, 'commitOffsets' | 'on' | 'events'>;
  calls: TopicPartitionOffsetAndMetadata[][];
} {
  const emitter = new EventEmitter();
  const calls: TopicPartitionOffsetAndMetadata[][] = [];
  const events = { COMMIT_OFFSETS: 'consumer.commit_offsets' } as Consumer['events'];
  const consumer = {
    events,
    on: ((name: string, listener: (event: unknown) => void) => {
      emitter.on(name, listener);
      return () => emitter.off(name, listener);
    }) as Consumer['on'],
    commitOffsets: async (offsets: TopicPartitionOffsetAndMetadata[]) => {
      calls.push(offsets);
      await behaviour(offsets, () => {
        const topics = [...new Set(offsets.map((o) => o.topic))].map((topic) => ({
          topic,
          partitions: offsets
            .filter((o) => o.topic === topic)
            .map(({ partition, offset }) => ({ partition, offset })),
        }));
        emitter.emit(events.COMMIT_OFFSETS, { payload: { topics } });
      });
    },
  };
  return { consumer, calls };
}

function request(offset: bigint) {
  return {
    topic: 't',
    partition: 3,
    offset,
    metadata: 'hanzo-ingest/v1 pending=10-19',
    stillOwned: () => true,
    signal: new AbortController().signal,
  };
}

const committerFor = (consumer: Pick<Consumer, 'commitOffsets' | 'on' | 'events'>) =>
  new OffsetCommitter({ consumer, retry: new RetryPolicy({ initialMs: 1, maxMs: 5 }) });

describe('OffsetCommitter', () => {
  test('a commit the coordinator acknowledged resolves', async () => {
    const { consumer, calls } = consumerThat(async (_offsets, ack) => ack());
    await committerFor(consumer).commit(request(10n));
    assert.equal(calls.length, 1);
    assert.deepEqual(calls[0], [
      { topic: 't', partition: 3, offset: '10', metadata: 'hanzo-ingest/v1 pending=10-19' },
    ]);
  });

  test('a commit kafkajs skipped silently (runner not running) means ownership is lost, not success', async () => {
    const { consumer, calls } = consumerThat(async () => undefined);
    await assert.rejects(committerFor(consumer).commit(request(10n)), OwnershipLostError);
    assert.equal(calls.length, 1, 'not retried: this generation of the consumer is over');
  });

  test('an acknowledgement of another offset or partition does not count', async () => {
    const { consumer } = consumerThat(async (offsets, ack) => {
      offsets[0]!.offset = '11'; // what the coordinator saw differs from what was asked
      ack();
    });
    await assert.rejects(committerFor(consumer).commit(request(10n)), OwnershipLostError);
  });

  test("a crashed consumer's missing runner (TypeError) means ownership is lost", async () => {
    const { consumer } = consumerThat(async () => {
      throw new TypeError("Cannot read properties of null (reading 'commitOffsets')");
    });
    await assert.rejects(committerFor(consumer).commit(request(10n)), OwnershipLostError);
  });

  test('a generation error means ownership is lost', async () => {
    const { consumer, calls } = consumerThat(async () => {
      throw Object.assign(new Error('Specified group generation id is not valid'), {
        type: 'ILLEGAL_GENERATION',
      });
    });
    await assert.rejects(committerFor(consumer).commit(request(10n)), OwnershipLostError);
    assert.equal(calls.length, 1);
  });

  test('a broker error is retried until the commit is acknowledged', async () => {
    let attempts = 0;
    const { consumer, calls } = consumerThat(async (_offsets, ack) => {
      if (++attempts < 3) throw new Error('Connection error: connect ECONNREFUSED');
      ack();
    });
    await committerFor(consumer).commit(request(10n));
    assert.equal(calls.length, 3);
  });
});
