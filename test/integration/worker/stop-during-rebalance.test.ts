import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { Consumer, Kafka } from 'kafkajs';
import { assertLandedExactlyOnce, testClickHouse } from '../../support/clickhouse.ts';
import { jsonEvents } from '../../support/events.ts';
import { createTopics, produce, testKafka, waitForCommittedToLogEnd } from '../../support/kafka.ts';
import { uniqueName, waitFor } from '../../support/stack-env.ts';
import { startWorkerProcess } from '../../support/worker-process.ts';

const PARTITIONS = 4;
const REBALANCING = new Set(['PreparingRebalance', 'CompletingRebalance']);

/** The group's state as the coordinator reports it (DescribeGroups). */
async function groupState(kafka: Kafka, group: string): Promise<string> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([group]);
    return groups[0]?.state ?? 'Unknown';
  } finally {
    await admin.disconnect();
  }
}

/**
 * A second group member that takes partitions and never processes or commits them: its
 * join is what puts the group into a rebalance.
 */
async function joinIdleMember(kafka: Kafka, group: string, topic: string): Promise<Consumer> {
  const consumer = kafka.consumer({
    groupId: group,
    sessionTimeout: 10_000,
    rebalanceTimeout: 20_000,
    heartbeatInterval: 1_000,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  void consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: () => Promise.resolve(),
  });
  return consumer;
}

describe('worker: SIGTERM while the group is rebalancing', () => {
  const kafka = testKafka();
  const clickhouse = testClickHouse();
  after(() => clickhouse.close());

  test('exits 0 in a rebalance and in a start-up join; every event lands once', async () => {
    const topic = uniqueName('rebalance_stop');
    const table = uniqueName('rebalance_stop');
    const group = uniqueName('group');
    await createTopics(kafka, [
      { topic, partitions: PARTITIONS },
      { topic: `${topic}_dlq`, partitions: 1 },
    ]);
    const first = jsonEvents(4_000, PARTITIONS, 41);
    const second = jsonEvents(4_000, PARTITIONS, 42);
    const env = {
      KAFKA_TOPICS: topic,
      KAFKA_DLQ_TOPIC: `${topic}_dlq`,
      KAFKA_GROUP_ID: group,
      CLICKHOUSE_TABLE: table,
      // Slow heartbeats keep the rebalance open long enough to be seen from outside.
      KAFKA_HEARTBEAT_INTERVAL_MS: '3000',
      KAFKA_SESSION_TIMEOUT_MS: '15000',
      SHUTDOWN_TIMEOUT_MS: '15000',
    };
    await produce(kafka, topic, first.messages);

    // Phase 1: a member joins while the worker consumes; SIGTERM once the coordinator
    // reports the rebalance (the worker has not rejoined yet: it learns on its next heartbeat).
    const worker = startWorkerProcess(`rebalance-a-${table}`, env);
    let idle: Consumer | undefined;
    try {
      await waitForCommittedToLogEnd(kafka, group, topic, 90_000);
      await waitFor(async () => (await groupState(kafka, group)) === 'Stable', {
        timeoutMs: 30_000,
        intervalMs: 50,
        what: 'a stable group',
      });
      await produce(kafka, topic, second.messages.slice(0, 2_000));
      idle = await joinIdleMember(kafka, group, topic);
      await waitFor(async () => REBALANCING.has(await groupState(kafka, group)), {
        timeoutMs: 30_000,
        intervalMs: 20,
        what: 'the group to start rebalancing',
      });
    } finally {
      worker.kill('SIGTERM');
    }
    assert.equal(await worker.exited, 0, worker.log().slice(-4000));

    // Phase 2: a worker starting while the idle member holds the group joins into a
    // rebalance it triggers itself; SIGTERM it in the middle of that first join.
    await produce(kafka, topic, second.messages.slice(2_000));
    await waitFor(async () => (await groupState(kafka, group)) === 'Stable', {
      timeoutMs: 60_000,
      intervalMs: 50,
      what: 'the idle member alone in a stable group',
    });
    const starting = startWorkerProcess(`rebalance-b-${table}`, env);
    try {
      await waitFor(async () => REBALANCING.has(await groupState(kafka, group)), {
        timeoutMs: 60_000,
        intervalMs: 20,
        what: 'the starting worker to put the group into a rebalance',
      });
    } finally {
      starting.kill('SIGTERM');
    }
    assert.equal(await starting.exited, 0, starting.log().slice(-4000));
    await idle?.disconnect();

    // What either stopped worker left is finished by a fresh one: nothing lost, nothing twice.
    const finisher = startWorkerProcess(`rebalance-c-${table}`, env);
    try {
      await waitForCommittedToLogEnd(kafka, group, topic, 90_000);
    } finally {
      finisher.kill('SIGTERM');
      assert.equal(await finisher.exited, 0, finisher.log().slice(-3000));
    }
    await assertLandedExactlyOnce(clickhouse, table, [
      ...first.events.map((e) => e.uuid),
      ...second.events.map((e) => e.uuid),
    ]);
  });
});
