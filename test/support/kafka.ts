import { Kafka, logLevel, Partitioners, type IHeaders, type Message } from 'kafkajs';
import { testStack, waitFor } from './stack-env.ts';

import { installAbortedRecordFilter } from '../../src/consume/aborted-records.ts';
import { registerCompressionCodecs } from '../../src/consume/compression/register-compression-codecs.ts';
import { installRecordDecoder } from '../../src/consume/record-decoder.ts';
import { DLQ_HEADERS, headerText } from '../../src/dlq/dead-letter-headers.ts';
import { readTopicToEnd } from '../../src/dlq/read-topic-to-end.ts';
import { decodePendingRange, type PendingRange } from '../../src/commit/pending-range.ts';

export { headerText } from '../../src/dlq/dead-letter-headers.ts';

/**
 * A kafkajs client for the tests, reading as the worker's clients read (create-kafka.ts):
 * every codec, Kafka's filter of aborted transactions, headers of any name.
 */
export function testKafka(clientId = 'hanzo-ingest-test'): Kafka {
  registerCompressionCodecs();
  installAbortedRecordFilter();
  installRecordDecoder();
  return new Kafka({ clientId, brokers: testStack().brokers, logLevel: logLevel.NOTHING });
}

/**
 * Creates the topics once, then waits until every partition has a leader that answers.
 * `configs`: topic settings, e.g. `{ 'max.message.bytes': '65536' }`.
 *
 * Not kafkajs's `waitForLeaders`: it retries only LEADER_NOT_AVAILABLE, and right after
 * creation the broker may still answer "does not host this topic-partition"
 * (UNKNOWN_TOPIC_OR_PARTITION), which failed a test's set-up in 0.5 s on a busy machine.
 */
export async function createTopics(
  kafka: Kafka,
  topics: { topic: string; partitions: number; configs?: Record<string, string> }[],
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: false,
      topics: topics.map((t) => ({
        topic: t.topic,
        numPartitions: t.partitions,
        replicationFactor: 1,
        configEntries: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
      })),
    });
    await waitFor(
      async () => {
        for (const t of topics) {
          const offsets = await admin.fetchTopicOffsets(t.topic);
          if (offsets.length !== t.partitions) return false;
        }
        return true;
      },
      { timeoutMs: 60_000, what: `leaders for ${topics.map((t) => t.topic).join(', ')}` },
    );
  } finally {
    await admin.disconnect();
  }
}

/** Sends messages in chunks; `partition` may be set per message. */
export async function produce(
  kafka: Kafka,
  topic: string,
  messages: Message[],
  chunk = 2_000,
): Promise<void> {
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += chunk) {
      await producer.send({ topic, acks: -1, messages: messages.slice(i, i + chunk) });
    }
  } finally {
    await producer.disconnect();
  }
}

export interface ReadMessage {
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
}

/**
 * Everything in a topic right now, as read_committed readers see it (aborted transactions
 * skipped, open ones waited for): reads up to the log-end offsets, no group commits.
 */
export async function readTopic(
  kafka: Kafka,
  topic: string,
  timeoutMs = 30_000,
): Promise<ReadMessage[]> {
  const out: ReadMessage[] = [];
  await readTopicToEnd(kafka, topic, (record) => out.push({ ...record }), {
    timeoutMs,
    groupPrefix: `reader-${topic}`,
  });
  return out;
}

/**
 * The dead letters in `dlq` as read_committed readers see them, one per source message
 * (source topic, partition and offset headers), the first seen kept. kafkajs's own filter of
 * aborted transactions once returned two records of aborted DLQ transactions in CI (it takes
 * the broker's list as sorted; testKafka installs Kafka's filter since): counting by source
 * keeps these reads from depending on it. Exactly-once checks of the DLQ use Kafka's Java
 * consumer (consumeCommittedWithJavaConsumer).
 */
export async function readDeadLetters(
  kafka: Kafka,
  dlq: string,
  timeoutMs = 30_000,
): Promise<ReadMessage[]> {
  const bySource = new Map<string, ReadMessage>();
  for (const record of await readTopic(kafka, dlq, timeoutMs)) {
    const source = [DLQ_HEADERS.sourceTopic, DLQ_HEADERS.sourcePartition, DLQ_HEADERS.sourceOffset]
      .map((header) => headerText(record.headers, header) ?? '?')
      .join(':');
    if (!bySource.has(source)) bySource.set(source, record);
  }
  return [...bySource.values()];
}

export async function logEndOffsets(kafka: Kafka, topic: string): Promise<Map<number, number>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((o) => [o.partition, Number(o.high)]));
  } finally {
    await admin.disconnect();
  }
}

export async function committedOffsets(
  kafka: Kafka,
  groupId: string,
  topic: string,
): Promise<Map<number, number>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [result] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map((result?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
  } finally {
    await admin.disconnect();
  }
}

/**
 * The pending range the group's committed position of `partition` records (the range a
 * worker was inserting when it stopped), as the next owner reads it; undefined when none.
 */
export async function committedPendingRange(
  kafka: Kafka,
  groupId: string,
  topic: string,
  partition: number,
): Promise<PendingRange | undefined> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [result] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const committed = result?.partitions.find((p) => p.partition === partition);
    if (committed === undefined || Number(committed.offset) < 0) return undefined;
    return decodePendingRange(committed.metadata, BigInt(committed.offset));
  } finally {
    await admin.disconnect();
  }
}

/** Waits until the group has committed every partition of `topic` up to its current log end. */
export async function waitForCommittedToLogEnd(
  kafka: Kafka,
  group: string,
  topic: string,
  timeoutMs = 60_000,
): Promise<void> {
  const ends = await logEndOffsets(kafka, topic);
  await waitFor(
    async () => {
      const committed = await committedOffsets(kafka, group, topic);
      return [...ends].every(([p, end]) => committed.get(p) === end);
    },
    { timeoutMs, what: `group ${group} to commit ${topic} up to log end` },
  );
}

/** Kafka's DeleteRecords: everything in `partition` below `offset` is gone (log start moves). */
export async function deleteRecordsBefore(
  kafka: Kafka,
  topic: string,
  partition: number,
  offset: number,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    // kafkajs finds the partition leaders from metadata it must have loaded first.
    await admin.fetchTopicMetadata({ topics: [topic] });
    await admin.deleteTopicRecords({ topic, partitions: [{ partition, offset: String(offset) }] });
  } finally {
    await admin.disconnect();
  }
}
