import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import {
  assertLandedExactlyOnce,
  createEventsTable,
  queryRows,
  testClickHouse,
} from '../../support/clickhouse.ts';
import { jsonEvents } from '../../support/events.ts';
import {
  createTopics,
  logEndOffsets,
  produce,
  testKafka,
  waitForCommittedToLogEnd,
} from '../../support/kafka.ts';
import { uniqueName } from '../../support/stack-env.ts';
import { startWorkerProcess } from '../../support/worker-process.ts';

describe('worker: an insert that fails as data after the block was written', () => {
  const kafka = testKafka();
  const clickhouse = testClickHouse();
  after(() => clickhouse.close());

  test('a materialized view throwing on one row: no duplicates; the refused row landed once, not dead-lettered', async () => {
    const topic = uniqueName('mvthrow');
    const table = uniqueName('mvthrow');
    const group = uniqueName('group');
    const dlq = `${topic}_dlq`;
    await createTopics(kafka, [
      { topic, partitions: 1 },
      { topic: dlq, partitions: 1 },
    ]);
    // ClickHouse writes the block to the table, then the view throws (code 395).
    await createEventsTable(clickhouse, table);
    await clickhouse.command({
      query: `CREATE TABLE ${table}_mv_target (n UInt8) ENGINE = MergeTree ORDER BY n`,
    });
    await clickhouse.command({
      query: `CREATE MATERIALIZED VIEW ${table}_mv TO ${table}_mv_target AS SELECT throwIf(event = 'boom', 'boom is refused') AS n FROM ${table}`,
    });

    const { events } = jsonEvents(100, 1, 61);
    const boom = events[37];
    assert.ok(boom);
    boom.event = 'boom';
    await produce(
      kafka,
      topic,
      events.map((e) => ({ key: e.distinct_id, value: JSON.stringify(e), partition: 0 })),
    );

    const worker = startWorkerProcess(`mvthrow-${table}`, {
      KAFKA_TOPICS: topic,
      KAFKA_DLQ_TOPIC: dlq,
      KAFKA_GROUP_ID: group,
      CLICKHOUSE_TABLE: table,
      BATCH_MAX_ROWS: '100',
    });
    try {
      await waitForCommittedToLogEnd(kafka, group, topic, 90_000);
    } finally {
      worker.kill('SIGTERM');
      assert.equal(await worker.exited, 0, worker.log().slice(-3000));
    }
    await assertLandedExactlyOnce(
      clickhouse,
      table,
      events.map((e) => e.uuid),
    );
    const [boomRows] = await queryRows<{ n: string }>(
      clickhouse,
      `SELECT count() AS n FROM ${table} WHERE event = 'boom'`,
    );
    assert.equal(Number(boomRows?.n), 1, 'the refused row is in the table once');
    assert.equal((await logEndOffsets(kafka, dlq)).get(0), 0, 'and not dead-lettered');
    assert.match(worker.log(), /insert failed as data after writing the block/);
  });
});
