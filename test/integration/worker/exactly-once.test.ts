import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import {
  landedCounts,
  queryRows,
  testClickHouse,
  tokenTotal,
  assertLandedExactlyOnce,
} from '../../support/clickhouse.ts';
import { jsonEvents, sumTokens } from '../../support/events.ts';
import {
  createTopics,
  logEndOffsets,
  produce,
  testKafka,
  waitForCommittedToLogEnd,
} from '../../support/kafka.ts';
import { uniqueName, waitFor } from '../../support/stack-env.ts';
import { startWorkerProcess } from '../../support/worker-process.ts';

const EVENTS = 100_000;
const PARTITIONS = 6;

describe('worker: JSON events land exactly once', () => {
  const kafka = testKafka();
  const clickhouse = testClickHouse();
  after(() => clickhouse.close());

  test(`${EVENTS} events over ${PARTITIONS} partitions: count, uuids and offsets match`, async () => {
    const topic = uniqueName('events');
    const table = uniqueName('events');
    const group = uniqueName('group');
    await createTopics(kafka, [
      { topic, partitions: PARTITIONS },
      { topic: `${topic}_dlq`, partitions: 1 },
    ]);
    const { messages, events } = jsonEvents(EVENTS, PARTITIONS);
    await produce(kafka, topic, messages);

    const worker = startWorkerProcess(`exactly-once-${table}`, {
      KAFKA_TOPICS: topic,
      KAFKA_DLQ_TOPIC: `${topic}_dlq`,
      KAFKA_GROUP_ID: group,
      CLICKHOUSE_TABLE: table,
      BATCH_MAX_ROWS: '10000',
      CLICKHOUSE_REQUEST_COMPRESSION: 'true', // the production default: gzip insert bodies
    });
    try {
      await waitFor(
        async () =>
          (await landedCounts(clickhouse, table).catch(() => ({ rows: 0 }))).rows >= EVENTS,
        {
          timeoutMs: 240_000,
          what: `${EVENTS} rows in ${table}`,
        },
      );
      await waitForCommittedToLogEnd(kafka, group, topic, 60_000);
    } finally {
      worker.kill('SIGTERM');
      assert.equal(await worker.exited, 0, worker.log().slice(-3000));
    }

    await assertLandedExactlyOnce(
      clickhouse,
      table,
      events.map((e) => e.uuid),
    );
    assert.equal(await tokenTotal(clickhouse, table), sumTokens(events));
    const perPartition = await queryRows<{ p: number; n: string; maxOffset: string }>(
      clickhouse,
      `SELECT _partition AS p, count() AS n, max(_offset) AS maxOffset FROM ${table} GROUP BY p ORDER BY p`,
    );
    const ends = await logEndOffsets(kafka, topic);
    for (const row of perPartition) assert.equal(Number(row.maxOffset) + 1, ends.get(row.p));
  });
});
