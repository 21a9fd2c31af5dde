import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, Partitioners, logLevel, type Admin, type Consumer, type Producer } from 'kafkajs';

/** Holds one tiny message per readiness probe; the project's own topics never start with "__". */
export const READINESS_PROBE_TOPIC = '__hanzo_readiness_probe';

const ATTEMPT_TIMEOUT_MS = 20_000;
const RETRY_PAUSE_MS = 250;

export interface WaitForKafkaReadyOptions {
  brokers: readonly string[];
  timeoutMs: number;
  /** The broker's exit: readiness fails at once instead of at the deadline. */
  exited: Promise<number | null>;
}

/**
 * Resolves once the broker does what tests need first: it accepts a produce
 * (acks=all) and a consumer group can join, fetch and commit. The join is the
 * slow part after a start: the group coordinator answers "coordinator is
 * loading" until it has read __consumer_offsets.
 */
export async function waitForKafkaReady(options: WaitForKafkaReadyOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let brokerExited = false;
  const died = options.exited.then((code) => {
    brokerExited = true;
    throw new Error(`the broker exited (code ${code ?? 'signal'}) before it was ready`);
  });
  died.catch(() => undefined); // observed through the races below
  const [host, port] = splitHostPort(options.brokers[0] ?? '');
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      await Promise.race([waitForPort(host, port, deadline), died]);
      await Promise.race([
        probeOnce(options.brokers, Math.min(deadline - Date.now(), ATTEMPT_TIMEOUT_MS)),
        died,
      ]);
      return;
    } catch (error) {
      if (brokerExited) throw error;
      lastError = error;
    }
    await sleep(RETRY_PAUSE_MS);
  }
  throw new Error(
    `not ready after ${options.timeoutMs} ms (last probe error: ${messageOf(lastError)})`,
    {
      cause: lastError,
    },
  );
}

async function probeOnce(brokers: readonly string[], timeoutMs: number): Promise<void> {
  const kafka = new Kafka({
    clientId: 'hanzo-readiness-probe',
    brokers: [...brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    requestTimeout: 10_000,
    retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 1_000 },
  });
  // A fresh group per probe: a member left behind by a killed probe could hold
  // up a rebalance of a shared group for a whole session timeout.
  const groupId = `${READINESS_PROBE_TOPIC}-${randomBytes(6).toString('hex')}`;
  const admin = kafka.admin();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  const consumer = kafka.consumer({
    groupId,
    sessionTimeout: 10_000,
    rebalanceTimeout: 10_000,
    heartbeatInterval: 1_000,
    maxWaitTimeInMs: 100,
    retry: {
      retries: 8,
      initialRetryTime: 100,
      maxRetryTime: 1_000,
      restartOnFailure: () => Promise.resolve(false),
    },
  });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`probe timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  let passed = false;
  try {
    await Promise.race([roundTripProbeMessage(admin, producer, consumer), timedOut]);
    passed = true;
  } finally {
    clearTimeout(timer);
    // Never let a wedged client hold up the next attempt.
    await Promise.race([
      Promise.allSettled([consumer.disconnect(), producer.disconnect()]),
      sleep(5_000, undefined, { ref: false }),
    ]);
    if (passed) await admin.deleteGroups([groupId]).catch(() => undefined);
    await Promise.race([
      admin.disconnect().catch(() => undefined),
      sleep(2_000, undefined, { ref: false }),
    ]);
  }
}

/** Produce one message with acks=all, read it back in a consumer group, commit it. */
async function roundTripProbeMessage(
  admin: Admin,
  producer: Producer,
  consumer: Consumer,
): Promise<void> {
  await admin.connect();
  await admin.createTopics({
    topics: [{ topic: READINESS_PROBE_TOPIC, numPartitions: 1, replicationFactor: 1 }],
    waitForLeaders: true,
  });
  const nonce = randomBytes(8).toString('hex');
  await producer.connect();
  await producer.send({ topic: READINESS_PROBE_TOPIC, acks: -1, messages: [{ value: nonce }] });

  await consumer.connect();
  await consumer.subscribe({ topics: [READINESS_PROBE_TOPIC], fromBeginning: true });
  const received = new Promise<{ partition: number; offset: string }>((resolve, reject) => {
    consumer.on(consumer.events.CRASH, ({ payload }) => reject(payload.error));
    consumer
      .run({
        autoCommit: false,
        eachMessage: ({ partition, message }) => {
          if (message.value?.toString() === nonce) resolve({ partition, offset: message.offset });
          return Promise.resolve();
        },
      })
      .catch(reject);
  });
  const { partition, offset } = await received;
  const next = (BigInt(offset) + 1n).toString();
  await consumer.commitOffsets([{ topic: READINESS_PROBE_TOPIC, partition, offset: next }]);
}

/** Polls until something accepts TCP connections on host:port, cheaper than a Kafka client retrying. */
async function waitForPort(host: string, port: number, deadline: number): Promise<void> {
  while (!(await canConnect(host, port))) {
    if (Date.now() >= deadline) throw new Error(`nothing listens on ${host}:${port}`);
    await sleep(100);
  }
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(1_000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

function splitHostPort(broker: string): [string, number] {
  const colon = broker.lastIndexOf(':');
  const port = Number(broker.slice(colon + 1));
  if (colon <= 0 || !Number.isInteger(port))
    throw new Error(`not a host:port broker address: "${broker}"`);
  return [broker.slice(0, colon), port];
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
