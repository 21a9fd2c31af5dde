import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { assertLandedExactlyOnce, testClickHouse } from '../../support/clickhouse.ts';
import { jsonEvents } from '../../support/events.ts';
import {
  committedOffsets,
  createTopics,
  produce,
  testKafka,
  waitForCommittedToLogEnd,
} from '../../support/kafka.ts';
import { uniqueName, waitFor } from '../../support/stack-env.ts';
import { startWorkerProcess } from '../../support/worker-process.ts';

describe('worker: deduplication tokens are scoped to one life of a partition', () => {
  const kafka = testKafka();
  const clickhouse = testClickHouse();
  after(() => clickhouse.close());

  test('a topic deleted and re-created with the same name feeds the same table: all events land', async () => {
    const topic = uniqueName('recreated');
    const table = uniqueName('recreated');
    const group = uniqueName('group');
    await createTopics(kafka, [
      { topic, partitions: 1 },
      { topic: `${topic}_dlq`, partitions: 1 },
    ]);
    const env = {
      KAFKA_TOPICS: topic,
      KAFKA_DLQ_TOPIC: `${topic}_dlq`,
      KAFKA_GROUP_ID: group,
      CLICKHOUSE_TABLE: table,
      BATCH_MAX_ROWS: '100',
    };
    // Both lives get one batch of exactly 0-99: the same range, so the same token unless scoped.
    const first = jsonEvents(100, 1, 41);
    const second = jsonEvents(100, 1, 42);

    await produce(kafka, topic, first.messages);
    const a = startWorkerProcess(`recreated-a-${table}`, env);
    try {
      await waitForCommittedToLogEnd(kafka, group, topic, 90_000);
    } finally {
      a.kill('SIGTERM');
      assert.equal(await a.exited, 0, a.log().slice(-3000));
    }

    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.deleteTopics({ topics: [topic] });
      // Deletion completes asynchronously; creating the name again fails until it has.
      await waitFor(
        async () =>
          admin.createTopics({
            waitForLeaders: true,
            topics: [{ topic, numPartitions: 1, replicationFactor: 1 }],
          }),
        { timeoutMs: 60_000, what: `${topic} to be created again` },
      );
    } finally {
      await admin.disconnect();
    }
    // Kafka dropped the group's offsets with the topic: the second life starts afresh (so
    // waiting for the log end below cannot pass on the first life's commit).
    assert.equal((await committedOffsets(kafka, group, topic)).get(0), -1);
    await produce(kafka, topic, second.messages);

    const b = startWorkerProcess(`recreated-b-${table}`, env);
    try {
      await waitForCommittedToLogEnd(kafka, group, topic, 90_000);
    } finally {
      b.kill('SIGTERM');
      assert.equal(await b.exited, 0, b.log().slice(-3000));
    }
    await assertLandedExactlyOnce(clickhouse, table, [
      ...first.events.map((e) => e.uuid),
      ...second.events.map((e) => e.uuid),
    ]);
  });
});
