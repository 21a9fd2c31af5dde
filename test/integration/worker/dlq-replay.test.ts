import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, describe, test } from 'node:test';
import type { Message } from 'kafkajs';
import { CLI_ENTRY, NODE_FLAGS } from '../../demo/worker-env.ts';
import { landedCounts, queryRows, testClickHouse } from '../../support/clickhouse.ts';
import { jsonEvents } from '../../support/events.ts';
import {
  committedOffsets,
  createTopics,
  logEndOffsets,
  produce,
  readDeadLetters,
  testKafka,
  waitForCommittedToLogEnd,
} from '../../support/kafka.ts';
import { testStack, uniqueName, waitFor } from '../../support/stack-env.ts';
import { startWorkerProcess } from '../../support/worker-process.ts';

const run = promisify(execFile);

describe('hanzo-ingest dlq replay', () => {
  const kafka = testKafka();
  const clickhouse = testClickHouse();
  after(() => clickhouse.close());

  test('after a configuration fix, replaying one reason lands those events once and leaves the rest', async () => {
    const topic = uniqueName('replay');
    const dlq = `${topic}_dlq`;
    const table = uniqueName('replay');
    const group = uniqueName('group');
    await createTopics(kafka, [
      { topic, partitions: 2 },
      { topic: dlq, partitions: 1 },
    ]);
    const { messages } = jsonEvents(200, 2, 41);
    const twoHoursAhead = new Date(Date.now() + 2 * 3_600_000).toISOString();
    const future: Message[] = Array.from({ length: 10 }, (_, i) => ({
      partition: i % 2,
      value: JSON.stringify({
        uuid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        team_id: 1,
        event: 'late_clock',
        distinct_id: `u${i}`,
        timestamp: twoHoursAhead,
      }),
    }));
    const broken: Message[] = Array.from({ length: 5 }, (_, i) => ({
      partition: i % 2,
      value: `{"broken": ${i}`,
    }));
    await produce(kafka, topic, [...messages, ...future, ...broken]);
    const env = {
      KAFKA_TOPICS: topic,
      KAFKA_DLQ_TOPIC: dlq,
      KAFKA_GROUP_ID: group,
      CLICKHOUSE_TABLE: table,
    };

    const strict = startWorkerProcess(`replay-a-${table}`, {
      ...env,
      DECODE_MAX_FUTURE_SKEW_MS: '3600000',
    });
    const ends = await logEndOffsets(kafka, topic);
    try {
      await waitFor(
        async () => {
          const committed = await committedOffsets(kafka, group, topic);
          return [...ends].every(([p, end]) => committed.get(p) === end);
        },
        { timeoutMs: 60_000, what: 'first pass committed' },
      );
    } finally {
      strict.kill('SIGTERM');
      assert.equal(await strict.exited, 0);
    }
    assert.equal((await landedCounts(clickhouse, table)).rows, 200);
    // Counted as readers see it (the log end also counts the DLQ transactions' markers), by
    // source message.
    assert.equal((await readDeadLetters(kafka, dlq)).length, 15);

    // The fix: senders' clocks run up to a day ahead. Replay only that reason.
    const relaxed = startWorkerProcess(`replay-b-${table}`, {
      ...env,
      DECODE_MAX_FUTURE_SKEW_MS: '86400000',
    });
    try {
      const stack = testStack();
      const { stdout } = await run(
        process.execPath,
        [...NODE_FLAGS, CLI_ENTRY, 'dlq', 'replay', '--reason', 'timestamp_in_future'],
        {
          env: {
            PATH: process.env['PATH'] ?? '',
            KAFKA_BROKERS: stack.brokers.join(','),
            KAFKA_DLQ_TOPIC: dlq,
            LOG_LEVEL: 'warn',
          },
        },
      );
      const summary = JSON.parse(stdout) as { replayed: number; byReason: Record<string, number> };
      assert.equal(summary.replayed, 10);
      assert.deepEqual(summary.byReason, { timestamp_in_future: 10 });
      await waitFor(async () => (await landedCounts(clickhouse, table)).rows >= 210, {
        timeoutMs: 60_000,
        what: 'replayed events to land',
      });
      // Everything replay wrote has been through the worker (committed after landing or
      // dead-lettering): nothing more can arrive in the table or the DLQ from it.
      await waitForCommittedToLogEnd(kafka, group, topic, 60_000);
    } finally {
      relaxed.kill('SIGTERM');
      assert.equal(await relaxed.exited, 0);
    }
    assert.deepEqual(await landedCounts(clickhouse, table), {
      rows: 210,
      unique: 210,
      duplicates: 0,
    });
    const [late] = await queryRows<{ n: string }>(
      clickhouse,
      `SELECT count() AS n FROM ${table} WHERE event = 'late_clock'`,
    );
    assert.equal(Number(late?.n), 10);
    assert.equal(
      (await readDeadLetters(kafka, dlq)).length,
      15,
      'the broken messages were not replayed into the DLQ again',
    );
  });
});
