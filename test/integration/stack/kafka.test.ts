import { isDeepStrictEqual } from 'node:util';
/**
 * The local Kafka broker does what the ingestion worker relies on: a consumer
 * group reads back everything produced, explicit commits stick (no
 * redelivery), and a restart keeps topics and committed offsets.
 *
 * Brokers come from KAFKA_BROKERS when the test runner started a stack;
 * otherwise this file starts its own broker in a temporary directory.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Kafka, Partitioners, logLevel, type Admin, type KafkaMessage } from 'kafkajs';
import { startKafka, type LocalKafka } from '../../stack/kafka/kafka-server.ts';

const MESSAGES = 10_000;
const PARTITIONS = 6;

interface Received {
  partition: number;
  offset: string;
  value: string;
}

void describe('local Kafka broker', () => {
  let brokers: string[] = [];
  const owned: { kafka: LocalKafka; dataDir: string }[] = [];

  async function startOwnKafka(): Promise<LocalKafka> {
    const dataDir = await mkdtemp(join(tmpdir(), 'hanzo-kafka-test-'));
    const kafka = await startKafka({ dataDir });
    owned.push({ kafka, dataDir });
    return kafka;
  }

  before(async () => {
    const fromEnv = process.env['KAFKA_BROKERS'];
    brokers =
      fromEnv !== undefined && fromEnv.trim() !== ''
        ? fromEnv.split(',').map((broker) => broker.trim())
        : [...(await startOwnKafka()).brokers];
  });

  after(async () => {
    for (const { kafka, dataDir } of owned) {
      await kafka.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  void test(
    'a consumer group reads back 10,000 messages and its commits prevent redelivery',
    { timeout: 180_000 },
    async () => {
      const client = kafkaClient(brokers);
      const admin = client.admin();
      await admin.connect();
      try {
        const topic = uniqueName('kafka-stack-roundtrip');
        const groupId = uniqueName('kafka-stack-group');
        await createTopic(admin, topic, PARTITIONS);
        await produceNumbered(client, topic, 0, MESSAGES);

        const first = await consumeInGroup(
          client,
          groupId,
          topic,
          (received) => received.length >= MESSAGES,
        );
        assert.equal(first.length, MESSAGES, 'no message delivered twice');
        assert.deepEqual(sortedValues(first), numbered(0, MESSAGES).sort());
        assert.equal(
          new Set(first.map((m) => m.partition)).size,
          PARTITIONS,
          'every partition carried messages',
        );

        const logEnd = await logEndOffsets(admin, topic);
        assert.equal(sum(logEnd), MESSAGES);
        assert.deepEqual(await committedOffsets(admin, groupId, topic), logEnd);

        // One sentinel per partition: a partition's messages arrive in order, so
        // anything redelivered would arrive before that partition's sentinel.
        const sentinels = await produceSentinels(client, topic, PARTITIONS);
        const second = await consumeInGroup(client, groupId, topic, (received) =>
          containsAll(received, sentinels),
        );
        assert.deepEqual(
          sortedValues(second),
          [...sentinels].sort(),
          'only the new messages, no redelivery',
        );
        assert.deepEqual(
          await committedOffsets(admin, groupId, topic),
          await logEndOffsets(admin, topic),
        );
      } finally {
        await admin.disconnect();
      }
    },
  );

  void test(
    'stop() and start() keep topics, data and committed offsets',
    { timeout: 240_000 },
    async () => {
      const kafka = await startOwnKafka(); // its own broker: restarting a shared one would disturb other tests
      const client = kafkaClient([...kafka.brokers]);
      const topic = uniqueName('kafka-stack-restart');
      const groupId = uniqueName('kafka-stack-restart-group');
      const count = 1_000;
      const partitions = 3;

      let admin = client.admin();
      await admin.connect();
      const { clusterId } = await admin.describeCluster();
      await createTopic(admin, topic, partitions);
      await produceNumbered(client, topic, 0, count);
      await consumeInGroup(client, groupId, topic, (received) => received.length >= count);
      const logEndBefore = await logEndOffsets(admin, topic);
      assert.deepEqual(await committedOffsets(admin, groupId, topic), logEndBefore);
      await admin.disconnect();

      const brokersBefore = [...kafka.brokers];
      await kafka.stop();
      assert.equal(kafka.pid, undefined);
      assert.equal(await accepts(brokersBefore[0] ?? ''), false, 'nothing listens once stopped');
      await kafka.start();
      assert.deepEqual([...kafka.brokers], brokersBefore, 'same address after a restart');

      admin = client.admin();
      await admin.connect();
      try {
        assert.equal((await admin.describeCluster()).clusterId, clusterId, 'not re-formatted');
        // Right after a restart, partition leaders and the offsets partition of this group
        // may still be loading (the readiness probe only waited for its own group): poll.
        const a = admin;
        assert.deepEqual(await settled(() => logEndOffsets(a, topic), logEndBefore), logEndBefore);
        assert.deepEqual(
          await settled(() => committedOffsets(a, groupId, topic), logEndBefore),
          logEndBefore,
        );

        const sentinels = await produceSentinels(client, topic, partitions);
        const resumed = await consumeInGroup(client, groupId, topic, (received) =>
          containsAll(received, sentinels),
        );
        assert.deepEqual(
          sortedValues(resumed),
          [...sentinels].sort(),
          'resumed from the committed offsets',
        );

        const everything = await consumeInGroup(
          client,
          uniqueName('kafka-stack-reread'),
          topic,
          (received) => containsAll(received, sentinels),
        );
        assert.deepEqual(sortedValues(everything), [...numbered(0, count), ...sentinels].sort());
      } finally {
        await admin.disconnect();
      }
    },
  );
});

/**
 * Polls `read` until it returns `expected` (deep equal) or 90 s pass (a failure bound for a
 * broker that just restarted on a busy machine); returns the last value.
 */
async function settled<T>(read: () => Promise<T>, expected: T): Promise<T | undefined> {
  const deadline = Date.now() + 90_000;
  let last: T | undefined;
  while (Date.now() < deadline) {
    try {
      last = await read();
      if (isDeepStrictEqual(last, expected)) return last;
    } catch {
      // not loaded yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return last;
}

function kafkaClient(brokers: string[]): Kafka {
  return new Kafka({ clientId: 'kafka-stack-test', brokers, logLevel: logLevel.ERROR });
}

function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/**
 * Creates the topic, then waits until every partition's leader answers (kafkajs's
 * waitForLeaders gives up on a transient "does not host this topic-partition").
 */
async function createTopic(admin: Admin, topic: string, numPartitions: number): Promise<void> {
  const created = await admin.createTopics({
    topics: [{ topic, numPartitions, replicationFactor: 1 }],
    waitForLeaders: false,
  });
  assert.equal(created, true, `topic ${topic} is new`);
  const offsets = await settled(
    async () => (await admin.fetchTopicOffsets(topic)).length,
    numPartitions,
  );
  assert.equal(offsets, numPartitions, `every partition of ${topic} has a leader`);
}

/** Values "from".."to-1", keyed so that they spread over the partitions. */
async function produceNumbered(
  client: Kafka,
  topic: string,
  from: number,
  to: number,
): Promise<void> {
  const producer = client.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    for (let start = from; start < to; start += 1_000) {
      const values = numbered(start, Math.min(start + 1_000, to));
      await producer.send({
        topic,
        acks: -1,
        messages: values.map((value) => ({ key: `key-${value}`, value })),
      });
    }
  } finally {
    await producer.disconnect();
  }
}

async function produceSentinels(
  client: Kafka,
  topic: string,
  partitions: number,
): Promise<string[]> {
  const sentinels = Array.from({ length: partitions }, (_, partition) => `sentinel-${partition}`);
  const producer = client.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    await producer.send({
      topic,
      acks: -1,
      messages: sentinels.map((value, partition) => ({ partition, value })),
    });
  } finally {
    await producer.disconnect();
  }
  return sentinels;
}

/**
 * Consumes as the ingestion worker does (eachBatch, autoCommit off, an explicit
 * commit after each batch) until `done` holds, then leaves the group.
 * fromBeginning: a group without committed offsets would re-read everything.
 */
async function consumeInGroup(
  client: Kafka,
  groupId: string,
  topic: string,
  done: (received: readonly Received[]) => boolean,
  timeoutMs = 60_000,
): Promise<Received[]> {
  const consumer = client.consumer({ groupId, maxWaitTimeInMs: 200 });
  const received: Received[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(`group ${groupId} received ${received.length} messages in ${timeoutMs} ms`),
          ),
        timeoutMs,
      );
      consumer.on(consumer.events.CRASH, ({ payload }) => reject(payload.error));
      consumer
        .run({
          autoCommit: false,
          eachBatch: async (payload) => {
            const { batch } = payload;
            for (const message of batch.messages) {
              received.push(toReceived(batch.partition, message));
              payload.resolveOffset(message.offset);
            }
            if (batch.messages.length > 0) {
              const next = (BigInt(batch.lastOffset()) + 1n).toString();
              await consumer.commitOffsets([
                { topic: batch.topic, partition: batch.partition, offset: next },
              ]);
            }
            await payload.heartbeat();
            if (done(received)) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return received;
}

function toReceived(partition: number, message: KafkaMessage): Received {
  return { partition, offset: message.offset, value: message.value?.toString() ?? '' };
}

/** partition -> offset the group will read next. */
async function committedOffsets(
  admin: Admin,
  groupId: string,
  topic: string,
): Promise<Map<number, string>> {
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return new Map((offsets?.partitions ?? []).map(({ partition, offset }) => [partition, offset]));
}

/** partition -> offset of the next message to be written (the high watermark). */
async function logEndOffsets(admin: Admin, topic: string): Promise<Map<number, string>> {
  return new Map(
    (await admin.fetchTopicOffsets(topic)).map(({ partition, high }) => [partition, high]),
  );
}

function numbered(from: number, to: number): string[] {
  return Array.from({ length: to - from }, (_, i) => String(from + i));
}

function sortedValues(received: readonly Received[]): string[] {
  return received.map((m) => m.value).sort();
}

function containsAll(received: readonly Received[], values: readonly string[]): boolean {
  const seen = new Set(received.map((m) => m.value));
  return values.every((value) => seen.has(value));
}

function sum(offsets: Map<number, string>): number {
  return [...offsets.values()].reduce((total, offset) => total + Number(offset), 0);
}

function accepts(broker: string): Promise<boolean> {
  const colon = broker.lastIndexOf(':');
  return new Promise((resolve) => {
    const socket = connect({ host: broker.slice(0, colon), port: Number(broker.slice(colon + 1)) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
