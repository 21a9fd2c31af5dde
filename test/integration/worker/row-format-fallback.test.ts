/**
 * A worker whose events table has other column types than HIP-47's (a team altered one) reads
 * them at start-up and inserts JSON rows, which ClickHouse converts: every event lands once.
 * A string ClickHouse cannot store (a lone surrogate) is that message's dead letter in either
 * format, and the partition moves on. A type changed under a running worker makes its inserts
 * wait (configuration failure: nothing dead-lettered or committed) until a restart re-reads it.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { Message } from 'kafkajs';
import { DLQ_HEADERS } from '../../../src/dlq/dead-letter-headers.ts';
import {
  assertLandedExactlyOnce,
  createEventsTable,
  landedCounts,
  testClickHouse,
  tokenTotal,
} from '../../support/clickhouse.ts';
import { jsonEvents, sumTokens } from '../../support/events.ts';
import {
  committedOffsets,
  headerText,
  logEndOffsets,
  produce,
  readDeadLetters,
  testKafka,
  waitForCommittedToLogEnd,
} from '../../support/kafka.ts';
import { createWorkerTopics } from '../../support/worker-topics.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { runWorkerToLogEnd, startWorkerProcess } from '../../support/worker-process.ts';

describe('worker: the row format follows the events table', () => {
  const kafka = testKafka();
  const clickhouse = testClickHouse();
  after(() => clickhouse.close());

  for (const altered of [false, true]) {
    test(`${altered ? 'altered column types: JSON rows' : "HIP-47's types: RowBinary rows"}; lone surrogates are dead letters`, async () => {
      const { topic, dlq, table, group, env } = await createWorkerTopics(kafka, 'rowfmt', 2);
      await createEventsTable(clickhouse, table);
      if (altered) {
        await clickhouse.command({
          query: `ALTER TABLE ${table} MODIFY COLUMN browser String, MODIFY COLUMN tokens_prompt UInt64, MODIFY COLUMN _partition UInt32`,
        });
      }
      const { messages, events } = jsonEvents(600, 2, 5);
      // One event per partition whose distinct_id holds a lone surrogate (valid JSON text).
      const bad: Message[] = [0, 1].map((partition) => ({
        partition,
        value: JSON.stringify({
          uuid: '00000000-0000-4000-8000-00000000000' + String(partition),
          team_id: 1,
          event: 'e',
          distinct_id: `user-\ud800-${partition}`,
          timestamp: new Date().toISOString(),
        }),
      }));
      await produce(kafka, topic, [...messages.slice(0, 300), ...bad, ...messages.slice(300)]);

      await runWorkerToLogEnd(kafka, `rowfmt-${table}`, {
        ...env,
        KAFKA_GROUP_ID: group,
        KAFKA_TOPICS: topic,
      });
      await assertLandedExactlyOnce(
        clickhouse,
        table,
        events.map((e) => e.uuid),
      );
      assert.equal(await tokenTotal(clickhouse, table), sumTokens(events));
      const dead = await readDeadLetters(kafka, dlq);
      assert.deepEqual(
        dead.map((d) => headerText(d.headers, DLQ_HEADERS.errorClass)),
        ['invalid_utf8', 'invalid_utf8'],
      );
      assert.ok(
        dead.every((d) => d.value?.toString().includes('\\ud800')),
        'the original message',
      );
    });
  }

  test('a column type changed under a running worker: inserts wait (nothing dead-lettered, nothing committed); a restart lands every event once', async () => {
    const { topic, dlq, table, group, env } = await createWorkerTopics(kafka, 'rowfmt_alter', 1);
    await createEventsTable(clickhouse, table);
    const { messages, events } = jsonEvents(400, 1, 9);
    await produce(kafka, topic, messages.slice(0, 200));
    const worker = startWorkerProcess(`rowfmt-alter-${table}`, {
      ...env,
      SHUTDOWN_TIMEOUT_MS: '2000',
    });
    try {
      await waitForCommittedToLogEnd(kafka, group, topic, 60_000);
      await clickhouse.command({ query: `ALTER TABLE ${table} MODIFY COLUMN browser String` });
      await produce(kafka, topic, messages.slice(200));
      // Long enough for several insert attempts (INSERT_RETRY_MAX_MS is 2 s in the tests).
      await sleep(8_000);
      assert.equal((await landedCounts(clickhouse, table)).rows, 200);
      assert.equal((await committedOffsets(kafka, group, topic)).get(0), 200);
      assert.equal((await logEndOffsets(kafka, dlq)).get(0), 0, 'no dead letters');
    } finally {
      worker.kill('SIGKILL');
      await worker.exited;
    }
    // A new worker reads the types again and inserts JSON rows.
    await runWorkerToLogEnd(kafka, `rowfmt-alter2-${table}`, {
      ...env,
      KAFKA_GROUP_ID: group,
      KAFKA_TOPICS: topic,
    });
    await assertLandedExactlyOnce(
      clickhouse,
      table,
      events.map((e) => e.uuid),
    );
    assert.equal((await logEndOffsets(kafka, dlq)).get(0), 0, 'no dead letters');
  });
});
