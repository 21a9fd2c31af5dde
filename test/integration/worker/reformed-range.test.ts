import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { assertLandedExactlyOnce, landedCounts, testClickHouse } from '../../support/clickhouse.ts';
import { jsonEvents } from '../../support/events.ts';
import { freePort } from '../../stack/process/free-port.ts';
import {
  committedOffsets,
  committedPendingRange,
  deleteRecordsBefore,
  logEndOffsets,
  produce,
  testKafka,
  waitForCommittedToLogEnd,
} from '../../support/kafka.ts';
import { startWorkerProcess } from '../../support/worker-process.ts';
import { scrapeWorkerMetrics, seriesSum } from '../../support/worker-metrics.ts';
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

    // Lands its first range (0-99: batches sealed by rows only, the age limit out of reach),
    // records it as pending at committed offset 0, then dies before committing past it.
    const doomed = startWorkerProcess(`headgone-a-${table}`, {
      ...env,
      BATCH_MAX_AGE_MS: '600000',
      HANZO_INGEST_FAILPOINTS: 'after-insert-before-commit:1',
    });
    assert.equal(await doomed.exited, null, 'killed by SIGKILL');
    // What the next owner will read back, rather than how the batch was assumed to be cut.
    const pending = await committedPendingRange(kafka, group, topic, 0);
    assert.ok(pending !== undefined, 'a pending range is recorded');
    assert.equal((await committedOffsets(kafka, group, topic)).get(0), Number(pending.first));
    const size = Number(pending.last - pending.first) + 1;
    assert.equal((await landedCounts(clickhouse, table)).rows, size, 'the pending range landed');
    assert.ok(size >= 2, `a range of ${size} cannot lose only its head`);

    // Its head goes, the rest of it stays.
    await deleteRecordsBefore(kafka, topic, 0, Number(pending.first) + Math.min(10, size - 1));

    const port = await freePort();
    const survivor = startWorkerProcess(`headgone-b-${table}`, {
      ...env,
      METRICS_PORT: String(port),
    });
    let metrics = '';
    try {
      await waitForCommittedToLogEnd(kafka, group, topic, 90_000);
      // Counted before the re-formed batch was inserted, so before its range was committed.
      metrics = await scrapeWorkerMetrics(port);
    } finally {
      survivor.kill('SIGTERM');
      assert.equal(await survivor.exited, 0, survivor.log().slice(-3000));
    }
    await assertLandedExactlyOnce(
      clickhouse,
      table,
      events.map((e) => e.uuid),
    );
    const reformed = (c: string): number =>
      seriesSum(metrics, 'hanzo_ingest_reformed_ranges_total', `case="${c}"`);
    assert.deepEqual(
      ['head_vanished', 'tail_vanished', 'head_and_tail_vanished', 'range_vanished'].map(reformed),
      [1, 0, 0, 0],
      'the re-formed range was found to have lost its head, once',
    );
    const ends = await logEndOffsets(kafka, topic);
    assert.equal((await committedOffsets(kafka, group, topic)).get(0), ends.get(0));
  });
});
