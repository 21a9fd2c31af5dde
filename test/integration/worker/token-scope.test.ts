import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { assertLandedExactlyOnce, testClickHouse } from '../../support/clickhouse.ts';
import { jsonEvents } from '../../support/events.ts';
import {
  committedOffsets,
  produce,
  testKafka,
  waitForCommittedToLogEnd,
} from '../../support/kafka.ts';
import { waitFor } from '../../support/stack-env.ts';
import { startWorkerProcess } from '../../support/worker-process.ts';
import { createWorkerTopics } from '../../support/worker-topics.ts';

describe('worker: deduplication tokens are scoped to one life of a partition', () => {
  const kafka = testKafka();
  const clickhouse = testClickHouse();
  after(() => clickhouse.close());

  test('a topic deleted and re-created with the same name feeds the same table: all events land', async () => {
    const topics = await createWorkerTopics(kafka, 'recreated', 1);
    const { topic, table, group } = topics;
    // Both lives get one batch of exactly 0-99 (sealed by rows: the age limit is out of reach,
    // so the cut does not depend on timing): the same range, so the same token unless scoped.
    const env = { ...topics.env, BATCH_MAX_ROWS: '100', BATCH_MAX_AGE_MS: '600000' };
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
      // Deletion completes asynchronously: wait until the name is free, create it once, then
      // wait until its partition answers (createTopics says false, not an error, for a name
      // that exists, so retrying it could mistake a leader election for a missing topic).
      await waitFor(async () => !(await admin.listTopics()).includes(topic), {
        timeoutMs: 60_000,
        what: `${topic} to be deleted`,
      });
      await waitFor(
        async () =>
          (await admin.listTopics()).includes(topic) ||
          admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }] }),
        { timeoutMs: 60_000, what: `${topic} to be created again` },
      );
      await waitFor(async () => (await admin.fetchTopicOffsets(topic)).length === 1, {
        timeoutMs: 60_000,
        what: `${topic}'s partition to have a leader`,
      });
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
