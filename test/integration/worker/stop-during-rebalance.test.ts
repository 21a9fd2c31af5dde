import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { Consumer, Kafka } from 'kafkajs';
import { assertLandedExactlyOnce, testClickHouse } from '../../support/clickhouse.ts';
import { jsonEvents } from '../../support/events.ts';
import { createTopics, produce, testKafka, waitForCommittedToLogEnd } from '../../support/kafka.ts';
import { uniqueName, waitFor } from '../../support/stack-env.ts';
import { startWorkerProcess } from '../../support/worker-process.ts';

const PARTITIONS = 4;

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
 * A member that owns the group and then stops taking part: its first batch never returns, so
 * it neither heartbeats nor rejoins, and its long rebalance timeout makes the coordinator
 * hold every other member's JoinGroup for up to that long. `release` lets it go.
 */
async function joinHoldingMember(
  kafka: Kafka,
  group: string,
  topic: string,
): Promise<{ consumer: Consumer; release: () => void; holding: Promise<void> }> {
  const consumer = kafka.consumer({
    groupId: group,
    sessionTimeout: 120_000,
    rebalanceTimeout: 120_000,
    heartbeatInterval: 3_000,
  });
  let release = (): void => undefined;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let holding = (): void => undefined;
  const held = new Promise<void>((resolve) => {
    holding = resolve;
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  void consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async () => {
      holding();
      await released;
    },
  });
  return { consumer, release, holding: held };
}

describe('worker: SIGTERM while the group is rebalancing', () => {
  const kafka = testKafka();
  const clickhouse = testClickHouse();
  after(() => clickhouse.close());

  // The reported bug: SIGTERM while the start-up join waits on a rebalance. The join outlives
  // the worker's own JoinGroup request timeout (rebalance timeout + 5 s in kafkajs), kafkajs
  // "crashes" the consumer and schedules a restart with no consumer group in between, and a
  // stop that waited for that start then called consumer.pause(): "Consumer group was not
  // initialized, consumer#run must be called first", exit 1.
  test('exits 0 when SIGTERM arrives during a start-up join the coordinator holds', async () => {
    const topic = uniqueName('held_join_stop');
    const table = uniqueName('held_join_stop');
    const group = uniqueName('group');
    await createTopics(kafka, [
      { topic, partitions: PARTITIONS },
      { topic: `${topic}_dlq`, partitions: 1 },
    ]);
    const { messages, events } = jsonEvents(3_000, PARTITIONS, 43);
    await produce(kafka, topic, messages);
    const shutdownTimeoutMs = 6_000;
    const env = {
      KAFKA_TOPICS: topic,
      KAFKA_DLQ_TOPIC: `${topic}_dlq`,
      KAFKA_GROUP_ID: group,
      CLICKHOUSE_TABLE: table,
      // The worker's JoinGroup times out 5 s after this: well after SIGTERM, within the test.
      KAFKA_REBALANCE_TIMEOUT_MS: '8000',
      INSERT_TIMEOUT_MS: '5000',
      SHUTDOWN_TIMEOUT_MS: String(shutdownTimeoutMs),
    };

    const holder = await joinHoldingMember(kafka, group, topic);
    let worker: ReturnType<typeof startWorkerProcess> | undefined;
    try {
      await holder.holding;
      await waitFor(async () => (await groupState(kafka, group)) === 'Stable', {
        timeoutMs: 60_000,
        intervalMs: 50,
        what: 'the holding member alone in a stable group',
      });
      worker = startWorkerProcess(`held-join-${table}`, env);
      // The group stays in this state until the holder rejoins (its 120 s rebalance timeout):
      // a booting worker on a busy machine may take a while to send its JoinGroup.
      await waitFor(async () => (await groupState(kafka, group)) === 'PreparingRebalance', {
        timeoutMs: 90_000,
        intervalMs: 20,
        what: "the worker's start-up join to put the group into a rebalance",
      });
      assert.ok(worker.running, worker.log().slice(-3000));
      const stoppedAt = Date.now();
      worker.kill('SIGTERM');
      const code = await worker.exited;
      const tookMs = Date.now() - stoppedAt;
      assert.equal(code, 0, worker.log().slice(-4000));
      // The drain and the goodbye end at the deadline (leaving the group is cut after at
      // least 1 s), then the clients close; past deadline + 10 s main.ts exits 1 instead.
      // 5 s of slack for a loaded machine, still below a stop that waited for the held join
      // to time out (rebalance timeout + 5 s = 13 s after the JoinGroup was sent).
      assert.ok(
        tookMs < shutdownTimeoutMs + 5_000,
        `exited ${tookMs} ms after SIGTERM (deadline ${shutdownTimeoutMs} ms)\n${worker.log().slice(-6000)}`,
      );
      assert.equal(
        await groupState(kafka, group),
        'PreparingRebalance',
        'the join was still held when the worker exited: the test stopped it mid-rebalance',
      );
    } finally {
      if (worker?.running === true) worker.kill('SIGKILL');
      holder.release();
      await holder.consumer.disconnect();
    }

    // The holder committed nothing and the stopped worker took nothing: a fresh worker drains.
    const finisher = startWorkerProcess(`held-join-finish-${table}`, env);
    try {
      await waitForCommittedToLogEnd(kafka, group, topic, 90_000);
    } finally {
      finisher.kill('SIGTERM');
      assert.equal(await finisher.exited, 0, finisher.log().slice(-3000));
    }
    await assertLandedExactlyOnce(
      clickhouse,
      table,
      events.map((e) => e.uuid),
    );
  });
});
