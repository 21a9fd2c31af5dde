import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { assertLandedExactlyOnce, landedCounts, testClickHouse } from '../../support/clickhouse.ts';
import { jsonEvents } from '../../support/events.ts';
import {
  committedOffsets,
  deleteRecordsBefore,
  logEndOffsets,
  produce,
  testKafka,
  waitForCommittedToLogEnd,
} from '../../support/kafka.ts';
import { startWorkerProcess } from '../../support/worker-process.ts';
import { createWorkerTopics } from '../../support/worker-topics.ts';

describe('worker: a re-formed range keeps its recorded identity', () => {
  const kafka = testKafka();
  const clickhouse = testClickHouse();
  after(() => clickhouse.close());

  test('the head of a pending range is deleted (DeleteRecords) before it is re-formed', async () => {
    const topics = await createWorkerTopics(kafka, 'headgone', 1);
    const { topic, table, group } = topics;
    const env = { ...topics.env, BATCH_MAX_ROWS: '100' };
    const { messages, events } = jsonEvents(300, 1, 21);
    await produce(kafka, topic, messages);

    // Lands 0-99 (pending range 0-99 recorded at committed offset 0), then dies before
    // committing past it.
    const doomed = startWorkerProcess(`headgone-a-${table}`, {
      ...env,
      HANZO_INGEST_FAILPOINTS: 'after-insert-before-commit:1',
    });
    assert.equal(await doomed.exited, null, 'killed by SIGKILL');
    assert.equal((await landedCounts(clickhouse, table)).rows, 100, 'the first range landed');
    assert.equal((await committedOffsets(kafka, group, topic)).get(0), 0);

    await deleteRecordsBefore(kafka, topic, 0, 10);

    const survivor = startWorkerProcess(`headgone-b-${table}`, env);
    try {
      await waitForCommittedToLogEnd(kafka, group, topic, 90_000);
    } finally {
      survivor.kill('SIGTERM');
      assert.equal(await survivor.exited, 0, survivor.log().slice(-3000));
    }
    await assertLandedExactlyOnce(
      clickhouse,
      table,
      events.map((e) => e.uuid),
    );
    assert.match(survivor.log(), /re-formed range differs from its record/);
    assert.match(survivor.log(), /"case":"head_vanished"/);
    const ends = await logEndOffsets(kafka, topic);
    assert.equal((await committedOffsets(kafka, group, topic)).get(0), ends.get(0));
  });
});
