import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import avro from 'avsc';
import type { Kafka, Message } from 'kafkajs';
import { DLQ_HEADERS } from '../../../src/dlq/dead-letter-headers.ts';
import { freePort } from '../../stack/process/free-port.ts';
import { assertLandedExactlyOnce, testClickHouse } from '../../support/clickhouse.ts';
import { avroEventType, avroRecords, confluentFramed } from '../../support/events.ts';
import {
  createTopics,
  headerText,
  logEndOffsets,
  produce,
  readTopic,
  testKafka,
  waitForCommittedToLogEnd,
} from '../../support/kafka.ts';
import { basicAuth, startSchemaRegistry } from '../../support/schema-registry.ts';
import { uniqueName, waitFor } from '../../support/stack-env.ts';
import { startWorkerProcess } from '../../support/worker-process.ts';

const PARTITIONS = 3;
const USER = 'registry-user';
const PASSWORD = 'registry-pass-7f3e-marker';
const readerText = readFileSync('schemas/avro/event.avsc', 'utf8');

/** An older producer's schema: fewer fields, resolvable into ours through its defaults. */
const slimWriter = avro.Type.forSchema({
  type: 'record',
  name: 'Event',
  namespace: 'ai.hanzo.events',
  fields: [
    { name: 'uuid', type: ['null', 'string'], default: null },
    { name: 'team_id', type: 'long' },
    { name: 'event', type: 'string' },
    { name: 'distinct_id', type: 'string' },
    { name: 'timestamp', type: { type: 'long', logicalType: 'timestamp-millis' } },
  ],
});

const ID = {
  event: 101,
  slim: 102,
  protobuf: 103,
  jsonSchema: 104,
  notJson: 105,
  unresolvable: 106,
  unknown: 199,
};

const REGISTRY_SCHEMAS = {
  [ID.event]: { schema: readerText },
  [ID.slim]: { schema: JSON.stringify(slimWriter.schema()) },
  [ID.protobuf]: { schema: 'syntax = "proto3"; message Event {}', schemaType: 'PROTOBUF' },
  [ID.jsonSchema]: { schema: '{"type":"object"}', schemaType: 'JSON' },
  [ID.notJson]: { schema: '{"type": "record", "name": ' },
  [ID.unresolvable]: {
    schema: JSON.stringify({
      type: 'record',
      name: 'Event',
      namespace: 'ai.hanzo.events',
      fields: [{ name: 'team_id', type: 'string' }],
    }),
  },
};

/** Good events (two writer schemas) on every partition; their uuids are what must land. */
function goodEvents(n: number, seed: number): { messages: Message[]; uuids: string[] } {
  const records = avroRecords(n, seed);
  const messages = records.map(({ record }, i) => ({
    key: String(record['distinct_id']),
    value:
      i % 5 === 0
        ? confluentFramed(ID.slim, slimWriter.toBuffer(record))
        : confluentFramed(ID.event, avroEventType.toBuffer(record)),
    partition: i % PARTITIONS,
  }));
  return { messages, uuids: records.map((r) => r.uuid) };
}

/** One message per way a registry-described message can be bad, with the reason expected. */
function badMessages(): { value: Buffer; reason: string }[] {
  const payload = avroEventType.toBuffer(avroRecords(1, 99)[0]!.record);
  return [
    { value: confluentFramed(ID.protobuf, payload), reason: 'unsupported_schema_type' },
    { value: confluentFramed(ID.jsonSchema, payload), reason: 'unsupported_schema_type' },
    { value: confluentFramed(ID.notJson, payload), reason: 'invalid_schema' },
    { value: confluentFramed(ID.unresolvable, payload), reason: 'incompatible_schema' },
    // A good schema, but the bytes stop in the middle of a record.
    { value: confluentFramed(ID.event, payload.subarray(0, 9)), reason: 'invalid_avro' },
    { value: confluentFramed(ID.unknown, payload), reason: 'unknown_schema_id' },
  ];
}

/** Bad messages spread over the partitions, in the middle of the good ones. */
function interleave(good: Message[], bad: { value: Buffer }[]): Message[] {
  const out = [...good];
  bad.forEach(({ value }, i) => {
    out.splice(Math.floor(((i + 1) * out.length) / (bad.length + 1)), 0, {
      key: `bad-${i}`,
      value,
      partition: i % PARTITIONS,
    });
  });
  return out;
}

async function topicSize(kafka: Kafka, topic: string): Promise<number> {
  return [...(await logEndOffsets(kafka, topic)).values()].reduce((a, b) => a + b, 0);
}

/** The value of one series on the worker's /metrics, 0 when absent. */
async function scrapeCounter(port: number, name: string, label: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(label));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

function topicsFor(prefix: string): { topic: string; dlq: string; table: string; group: string } {
  const topic = uniqueName(prefix);
  return { topic, dlq: `${topic}_dlq`, table: uniqueName(prefix), group: uniqueName('group') };
}

describe('worker: Confluent Avro through a schema registry that requires auth', () => {
  const kafka = testKafka();
  const clickhouse = testClickHouse();
  after(() => clickhouse.close());

  const credentials = {
    settings: (url: string) => ({
      DECODE_SCHEMA_REGISTRY_URL: url,
      DECODE_SCHEMA_REGISTRY_USERNAME: USER,
      DECODE_SCHEMA_REGISTRY_PASSWORD: PASSWORD,
    }),
    url: (url: string) => ({
      DECODE_SCHEMA_REGISTRY_URL: url.replace(
        'http://',
        `http://${USER}:${encodeURIComponent(PASSWORD)}@`,
      ),
    }),
  };
  for (const [via, registryEnv] of Object.entries(credentials)) {
    test(`credentials from ${via}: good events land once, each bad id is dead-lettered with its reason`, async () => {
      const registry = await startSchemaRegistry({
        schemas: REGISTRY_SCHEMAS,
        requireAuthorization: basicAuth(USER, PASSWORD),
      });
      const { topic, dlq, table, group } = topicsFor(`registry_${via}`);
      await createTopics(kafka, [
        { topic, partitions: PARTITIONS },
        { topic: dlq, partitions: 1 },
      ]);
      const good = goodEvents(3_000, via === 'url' ? 61 : 62);
      const bad = badMessages();
      await produce(kafka, topic, interleave(good.messages, bad));
      const worker = startWorkerProcess(`registry-${table}`, {
        KAFKA_TOPICS: topic,
        KAFKA_DLQ_TOPIC: dlq,
        KAFKA_GROUP_ID: group,
        CLICKHOUSE_TABLE: table,
        DECODE_FORMAT: 'auto',
        ...registryEnv(registry.url),
      });
      try {
        await waitForCommittedToLogEnd(kafka, group, topic, 90_000);
        assert.ok(worker.running, `worker died early:\n${worker.log().slice(-3000)}`);
      } finally {
        worker.kill('SIGTERM');
        assert.equal(await worker.exited, 0, worker.log().slice(-3000));
        await registry.close();
      }
      await assertLandedExactlyOnce(clickhouse, table, good.uuids);

      const letters = await readTopic(kafka, dlq);
      const got = letters
        .map((m) => ({
          value: m.value?.toString('hex'),
          reason: headerText(m.headers, DLQ_HEADERS.errorClass),
        }))
        .sort((a, b) => String(a.value).localeCompare(String(b.value)));
      const expected = bad
        .map((b) => ({ value: b.value.toString('hex'), reason: b.reason }))
        .sort((a, b) => a.value.localeCompare(b.value));
      assert.deepEqual(got, expected);
      // Every id was asked once at most, always with the credentials, never refused.
      assert.ok(
        registry.requests.every((r) => r.authorization === basicAuth(USER, PASSWORD)),
        JSON.stringify(registry.requests),
      );
      const paths = registry.requests.map((r) => r.path);
      assert.equal(new Set(paths).size, paths.length, `asked twice: ${paths.join(' ')}`);
      assert.ok(!worker.log().includes(PASSWORD), 'the password never reaches the log');
    });
  }

  test('401 for a while: nothing dead-lettered, the error metric moves, all lands once after the fix', async () => {
    const registry = await startSchemaRegistry({
      schemas: REGISTRY_SCHEMAS,
      // The registry's side is misconfigured: it expects other credentials than the worker has.
      requireAuthorization: basicAuth(USER, 'rotated-on-the-registry-only'),
    });
    const { topic, dlq, table, group } = topicsFor('registry_401');
    await createTopics(kafka, [
      { topic, partitions: PARTITIONS },
      { topic: dlq, partitions: 1 },
    ]);
    const good = goodEvents(2_000, 63);
    await produce(kafka, topic, good.messages);
    const port = await freePort();
    const worker = startWorkerProcess(`registry-401-${table}`, {
      KAFKA_TOPICS: topic,
      KAFKA_DLQ_TOPIC: dlq,
      KAFKA_GROUP_ID: group,
      CLICKHOUSE_TABLE: table,
      DECODE_FORMAT: 'auto',
      METRICS_PORT: String(port),
      ...credentials.settings(registry.url),
    });
    const unauthorized = (): Promise<number> =>
      scrapeCounter(port, 'hanzo_ingest_schema_registry_errors_total', 'error="unauthorized"');
    try {
      await waitFor(async () => (await unauthorized()) >= 2, {
        timeoutMs: 60_000,
        what: 'the worker to be refused by the registry twice',
      });
      assert.ok(
        registry.requests.some((r) => r.authorization === basicAuth(USER, PASSWORD)),
        'the worker sent its configured credentials',
      );
      assert.equal(await topicSize(kafka, dlq), 0, 'a refused lookup is no dead letter');
      assert.ok(worker.running, 'a refused lookup does not stop the worker');

      registry.requireAuthorization(basicAuth(USER, PASSWORD));
      await waitForCommittedToLogEnd(kafka, group, topic, 90_000);
      assert.ok(worker.running, `worker died early:\n${worker.log().slice(-3000)}`);
    } finally {
      worker.kill('SIGTERM');
      assert.equal(await worker.exited, 0, worker.log().slice(-3000));
      await registry.close();
    }
    await assertLandedExactlyOnce(clickhouse, table, good.uuids);
    assert.equal(await topicSize(kafka, dlq), 0);
    assert.match(worker.log(), /refused the credentials \(401\)/);
    assert.ok(!worker.log().includes(PASSWORD), 'the password never reaches the log');
  });
});
