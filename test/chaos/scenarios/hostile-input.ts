import type { Message } from 'kafkajs';
import { DLQ_HEADERS } from '../../../src/dlq/dead-letter-headers.ts';
import { schemaTableName } from '../../../src/schema/render-schema.ts';
import { hostileCases } from '../../support/hostile.ts';
import { produceWithJavaProducer } from '../../support/java-producer.ts';
import { headerText, readTopic } from '../../support/kafka.ts';
import { poisonCases } from '../../support/poison.ts';
import { scaled, type Check, type Scenario } from '../harness/scenario.ts';
import { Trial } from '../harness/trial.ts';

const MAX_MESSAGE = 64 * 1024;
const MAX_PROPERTIES = 8 * 1024;
const MAX_STRING = 16 * 1024;
/** The DLQ topic's max.message.bytes: 3,000 dead letters of 2 KB need many requests. */
const DLQ_MAX_MESSAGE_BYTES = 128 * 1024;
const CODECS = ['gzip', 'snappy', 'lz4', 'zstd'] as const;

/**
 * 12. What real producers send, all at once, under load: batches compressed with every codec
 * by Apache Kafka's own Java producer, events nesting 6,000 deep or carrying 12,000 items or
 * over-long strings, a backfill whose batch spans 120 months, a burst of 3,000 malformed
 * 2 KB messages in a row (more dead letters than one DLQ request may carry), and every
 * poison class; three workers, one SIGKILLed half-way. Each bad message must be in the DLQ
 * with its reason (told by its key), each good one in ClickHouse, once.
 */
export const hostileInput: Scenario = {
  name: 'hostile-input',
  fault:
    'every codec, 6,000-deep events, a 120-month backfill, 3,000 malformed messages in a row, every poison; a SIGKILL',
  async run(env) {
    const trial = await Trial.open(env, {
      name: 'hostile_input',
      workerEnv: {
        DECODE_MAX_MESSAGE_BYTES: String(MAX_MESSAGE),
        DECODE_MAX_PROPERTIES_BYTES: String(MAX_PROPERTIES),
        DECODE_MAX_STRING_LENGTH: String(MAX_STRING),
        DECODE_MAX_FUTURE_SKEW_MS: '3600000',
      },
    });
    try {
      // The backfill's rows are years old: without this, TTL would remove them on insert.
      const target = { database: 'default', eventsTable: trial.table };
      for (const logical of ['events', 'sessions', 'events_hourly', 'token_usage_daily']) {
        const { storage } = schemaTableName(target, logical);
        await trial.clickhouse.command({ query: `ALTER TABLE ${storage} REMOVE TTL` });
      }
      await setDlqMaxMessageBytes(trial, DLQ_MAX_MESSAGE_BYTES);
      const workers = [trial.fleet.start(), trial.fleet.start(), trial.fleet.start()];
      const producer = trial.producer();
      const load = producer.run(scaled(env, 60_000), 2_000);

      const expected = new Map<string, string>(); // key → reason
      const bad = (reason: string, value: Buffer, partition: number): Message => {
        const key = `bad-${expected.size}`;
        expected.set(key, reason);
        return { key, value, partition };
      };
      const sendBad = (messages: Message[]): Promise<void> => producer.sendMessages(() => messages);

      for (const codec of CODECS) {
        await produceWithJavaProducer(trial.kafka, {
          topic: trial.topic,
          lines: Array.from({ length: scaled(env, 2_000, 200) }, () =>
            JSON.stringify(producer.source.nextEvent()),
          ),
          compression: codec,
          properties: { 'linger.ms': '20', 'batch.size': '262144' },
        });
        trial.log(`a ${codec}-compressed stream from the Java producer`);
      }
      for (let round = 0; round < 3; round++) {
        const hostile = hostileCases(MAX_STRING);
        await sendBad(hostile.map((h, i) => bad(h.reason, h.value, (round * 5 + i) % 12)));
        const poisons = poisonCases(MAX_MESSAGE, MAX_PROPERTIES);
        await sendBad(poisons.map((p, i) => bad(p.reason, p.value, (round * 7 + i) % 12)));
      }
      trial.log('hostile and poison messages in every partition');

      const backfill = Array.from({ length: 360 }, (_, i) => {
        const event = producer.source.nextEvent();
        const at = new Date(Date.UTC(2016, 0, 15));
        at.setUTCMonth(at.getUTCMonth() + (i % 120));
        return {
          key: event.distinct_id,
          value: JSON.stringify({ ...event, timestamp: at.toISOString() }),
          partition: 3,
        };
      });
      await producer.sendMessages(() => backfill);
      trial.log('a 360-event backfill over 120 months into partition 3');

      const burst = Array.from({ length: 3_000 }, (_, i) =>
        bad('invalid_json', Buffer.from(`{"not json ${i} ${'x'.repeat(2_000)}`), 7),
      );
      for (let at = 0; at < burst.length; at += 500) await sendBad(burst.slice(at, at + 500));
      trial.log('3,000 malformed 2 KB messages in a row into partition 7');

      await trial.waitForRows(scaled(env, 10_000), 180_000);
      let before = new Set<string>();
      await trial.poll(async () => (before = new Set(await stableMembers(trial))).size > 0, 60_000);
      await trial.fleet.kill(workers[0]!);
      trial.fleet.start();
      // The replacement must be in the group before the run may end: stopped while still
      // booting, it would die by the signal before its handlers exist.
      const joined = await trial.poll(
        async () => (await stableMembers(trial)).some((id) => !before.has(id)),
        120_000,
      );
      if (!joined) trial.notes.push('the replacement worker did not join within 120 s');
      trial.log('a worker SIGKILLed half-way');
      await load;
      trial.log(
        `produced ${producer.acked} with kafkajs (${expected.size} bad) plus the Java streams`,
      );
      const outcome = await trial.finish();
      const wrong = await wrongReasons(trial, expected);
      return {
        ...outcome,
        checks: [
          ...outcome.checks,
          {
            name: `${expected.size} bad messages each dead-lettered with its reason`,
            ok: wrong.length === 0 && outcome.measurement.deadLetters === expected.size,
            detail: `${outcome.measurement.deadLetters} distinct dead letters${wrong.length > 0 ? `; wrong: ${wrong.slice(0, 5).join(', ')}` : ''}`,
          } satisfies Check,
        ],
      };
    } finally {
      await trial.close();
    }
  },
};

async function setDlqMaxMessageBytes(trial: Trial, bytes: number): Promise<void> {
  const admin = trial.kafka.admin();
  await admin.connect();
  try {
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: 2, // TOPIC
          name: trial.dlqTopic,
          configEntries: [{ name: 'max.message.bytes', value: String(bytes) }],
        },
      ],
    });
  } finally {
    await admin.disconnect();
  }
}

/** "key expected → found" for bad messages whose dead letter is missing or has another reason. */
async function wrongReasons(trial: Trial, expected: Map<string, string>): Promise<string[]> {
  const found = new Map<string, string>();
  for (const m of await readTopic(trial.kafka, trial.dlqTopic, 120_000)) {
    found.set(m.key?.toString() ?? '', headerText(m.headers, DLQ_HEADERS.errorClass) ?? '');
  }
  return [...expected]
    .filter(([key, reason]) => found.get(key) !== reason)
    .map(([key, reason]) => `${key} ${reason} → ${found.get(key) ?? 'missing'}`);
}

/** Member ids of the trial's consumer group while it is stable (none while it rebalances). */
async function stableMembers(trial: Trial): Promise<string[]> {
  const admin = trial.kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([trial.group]);
    const group = groups[0];
    return group?.state === 'Stable' ? group.members.map((m) => m.memberId) : [];
  } finally {
    await admin.disconnect();
  }
}
