import { CompressionTypes, Partitioners, type Kafka, type Message } from 'kafkajs';
import { BenchEventGenerator } from './bench-events.ts';

/** Which corpus: the generator's seed and end time make it reproducible in another process. */
export interface CorpusSpec {
  readonly seed: number;
  readonly endMs: number;
  readonly events: number;
}

export interface PreloadResult {
  readonly events: number;
  readonly bytes: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly megabytesPerSecond: number;
  readonly averageEventBytes: number;
}

const MESSAGES_PER_SEND = 2_000;
/** Sends in flight at once: keeps the broker busy while the next chunk is generated. */
const SENDS_IN_FLIGHT = 4;

/**
 * Creates a topic and waits until every partition has a leader. On a loaded machine the
 * broker's metadata can lag behind the creation (UNKNOWN_TOPIC_OR_PARTITION, retriable),
 * so both steps are retried rather than failing the whole bench.
 */
export async function createTopic(kafka: Kafka, topic: string, partitions: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const deadline = Date.now() + 120_000;
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.createTopics({
          waitForLeaders: false,
          topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }],
        });
        const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
        const ready = topics[0]?.partitions.filter((p) => p.leader >= 0).length ?? 0;
        if (ready === partitions) return;
      } catch (err) {
        const retriable = (err as { retriable?: boolean }).retriable === true;
        if (!retriable || Date.now() > deadline) throw err;
      }
      if (Date.now() > deadline)
        throw new Error(`topic ${topic}: partitions without a leader after 120 s`);
      await new Promise((r) => setTimeout(r, Math.min(2_000, 200 * attempt)));
    }
  } finally {
    await admin.disconnect();
  }
}

/** The corpus as Kafka messages, in order: key = distinct_id (as real producers key them). */
export function* corpusMessages(spec: CorpusSpec): Generator<Message & { value: string }> {
  const generator = new BenchEventGenerator({ seed: spec.seed, endMs: spec.endMs });
  for (let i = 0; i < spec.events; i++) {
    const event = generator.next();
    yield { key: event.distinct_id, value: JSON.stringify(event) };
  }
}

/**
 * Produces the corpus as fast as this machine allows: large sends, several in flight,
 * no compression, leader acknowledgement only (a single broker with replication factor 1,
 * so acks=all would wait for nothing more).
 */
export async function preloadCorpus(
  kafka: Kafka,
  topic: string,
  spec: CorpusSpec,
): Promise<PreloadResult> {
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  const started = performance.now();
  let bytes = 0;
  const inFlight = new Set<Promise<unknown>>();
  try {
    let chunk: Message[] = [];
    const flush = async (): Promise<void> => {
      const send = producer.send({
        topic,
        acks: 1,
        compression: CompressionTypes.None,
        messages: chunk,
      });
      chunk = [];
      inFlight.add(send);
      void send.finally(() => inFlight.delete(send)).catch(() => undefined);
      if (inFlight.size >= SENDS_IN_FLIGHT) await Promise.race(inFlight);
    };
    for (const message of corpusMessages(spec)) {
      bytes += Buffer.byteLength(message.value) + Buffer.byteLength(message.key as string);
      chunk.push(message);
      if (chunk.length >= MESSAGES_PER_SEND) await flush();
    }
    if (chunk.length > 0) await flush();
    await Promise.all(inFlight);
  } finally {
    await producer.disconnect();
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    events: spec.events,
    bytes,
    seconds: round(seconds, 2),
    eventsPerSecond: Math.round(spec.events / seconds),
    megabytesPerSecond: round(bytes / 2 ** 20 / seconds, 1),
    averageEventBytes: Math.round(bytes / spec.events),
  };
}

/** Removes this run's topics from a stack the bench does not own (it keeps running). */
export async function deleteRunTopics(kafka: Kafka, runId: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${runId}_`));
    if (topics.length > 0) await admin.deleteTopics({ topics });
  } finally {
    await admin.disconnect();
  }
}

/** Sum of the log-end offsets: what the topic holds now. */
export async function topicSize(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
  } finally {
    await admin.disconnect();
  }
}

export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
