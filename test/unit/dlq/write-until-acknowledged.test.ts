import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Producer } from 'kafkajs';
import { DeadLetterProducers } from '../../../src/dlq/dead-letter-producers.ts';
import type { DeadLetterCommit } from '../../../src/dlq/dead-letter-transaction.ts';
import { DlqWritability } from '../../../src/dlq/dlq-writability.ts';
import { writeUntilAcknowledged } from '../../../src/dlq/write-until-acknowledged.ts';
import { OwnershipLostError } from '../../../src/errors.ts';
import pino from 'pino';
import { RetryPolicy } from '../../../src/retry/retry-policy.ts';

type Step = 'send' | 'commit';
/** What the broker does with each transaction in turn: fail a step with an error, or take it. */
type Outcome = { readonly fail: Step; readonly error: Error } | 'ok';

const brokerError = (type: string): Error =>
  Object.assign(new Error(`broker says ${type}`), { type });

/** Producers whose transactions follow `outcomes` in order; counts what each producer did. */
function fakeBroker(outcomes: Outcome[]) {
  const log = { producers: 0, committed: 0, aborted: 0, claims: 0, failed: 0 };
  const create = (): Producer => {
    log.producers++;
    const producer = {
      connect: () => Promise.resolve(),
      disconnect: () => Promise.resolve(),
      transaction: () => {
        const outcome = outcomes.shift() ?? 'ok';
        let active = true;
        const failAt = (step: Step): Promise<void> =>
          outcome !== 'ok' && outcome.fail === step
            ? Promise.reject(outcome.error).finally(() => log.failed++)
            : Promise.resolve();
        return Promise.resolve({
          send: () => failAt('send'),
          sendOffsets: () => Promise.resolve(),
          commit: async () => {
            await failAt('commit');
            active = false;
            log.committed++;
          },
          abort: () => {
            active = false;
            log.aborted++;
            return Promise.resolve();
          },
          isActive: () => active,
        });
      },
    };
    return producer as unknown as Producer;
  };
  return { log, producers: new DeadLetterProducers(create) };
}

function setUp(outcomes: Outcome[], owned: () => boolean = () => true) {
  const broker = fakeBroker(outcomes);
  const writability = new DlqWritability('dlq');
  const failures: string[] = [];
  let written = false;
  const commit: DeadLetterCommit = {
    topic: 'events',
    partition: 2,
    offset: 10n,
    metadata: 'dlq=done',
    stillOwned: owned,
    claim: () => {
      broker.log.claims++;
      return Promise.resolve();
    },
    written: () => Promise.resolve(written),
  };
  const context = {
    target: { producers: broker.producers, topic: 'dlq', groupId: 'g' },
    retry: new RetryPolicy({ initialMs: 1, maxMs: 2 }),
    writability,
    log: pino({ level: 'silent' }),
    onWriteFailed: (f: { error: string }) => failures.push(f.error),
    now: () => 0,
  };
  const write = (signal = new AbortController().signal) =>
    writeUntilAcknowledged([[{ value: 'letter' }]], commit, signal, context);
  return {
    broker,
    writability,
    failures,
    write,
    markWritten: () => {
      written = true;
    },
  };
}

describe('writeUntilAcknowledged', () => {
  test('a DLQ that fails is retried with a new producer each time until it takes the letters', async () => {
    const unknownTopic = brokerError('UNKNOWN_TOPIC_OR_PARTITION');
    const t = setUp([
      { fail: 'send', error: unknownTopic },
      { fail: 'send', error: unknownTopic },
      'ok',
    ]);
    await t.write();
    assert.equal(t.broker.log.committed, 1);
    assert.equal(t.broker.log.producers, 3, 'a new producer after each failure');
    assert.deepEqual(t.failures, ['UNKNOWN_TOPIC_OR_PARTITION', 'UNKNOWN_TOPIC_OR_PARTITION']);
    assert.equal(t.writability.state.writable, true, 'writable again once acknowledged');
  });

  test('fenced while still owning the partition is retried, not counted as an unwritable DLQ', async () => {
    const t = setUp([{ fail: 'send', error: brokerError('PRODUCER_FENCED') }, 'ok']);
    await t.write();
    assert.equal(t.broker.log.committed, 1);
    assert.deepEqual(t.failures, []);
    assert.equal(t.writability.state.writable, true);
  });

  test('fenced once the partition has another owner ends it: ownership lost, nothing retried', async () => {
    // Another worker took the partition over, and fenced our transaction with its producer.
    const t: ReturnType<typeof setUp> = setUp(
      [{ fail: 'send', error: brokerError('INVALID_PRODUCER_EPOCH') }, 'ok'],
      () => t.broker.log.failed === 0,
    );
    await assert.rejects(t.write(), OwnershipLostError);
    assert.equal(t.broker.log.committed, 0);
    assert.equal(t.broker.log.producers, 1, 'not retried');
  });

  test('after a commit of unknown outcome, the next attempt asks whether it went through', async () => {
    const t = setUp([{ fail: 'commit', error: brokerError('REQUEST_TIMED_OUT') }, 'ok']);
    t.markWritten();
    await t.write();
    assert.equal(t.broker.log.committed, 0, 'not written twice');
    assert.equal(t.broker.log.claims, 1, 'only the first attempt claimed the range');
  });

  test('an aborted lane stops retrying', async () => {
    const controller = new AbortController();
    const t = setUp(
      Array.from({ length: 100 }, () => ({
        fail: 'send' as const,
        error: brokerError('NOT_ENOUGH_REPLICAS'),
      })),
    );
    const writing = t.write(controller.signal);
    // The lane is dropped while the DLQ keeps failing.
    const dropWhenFailedTimes = (n: number): void => {
      if (t.failures.length >= n) controller.abort(new Error('lane dropped'));
      else setImmediate(() => dropWhenFailedTimes(n));
    };
    dropWhenFailedTimes(3);
    await assert.rejects(writing, /lane dropped/);
    assert.equal(t.broker.log.committed, 0);
    assert.ok(t.broker.log.producers < 100, 'stopped long before the failures ran out');
  });
});
