/**
 * The path every message takes in a worker — decode (JSON or Avro) → enrich (the real,
 * default-configured enrichment: geo, user agent, LLM cost, scrubbing) → row line → batch —
 * never throws, whatever the bytes: random bytes, Confluent-framed Avro garbage, and valid
 * JSON built to hurt (nesting far past any limit, many keys, long strings, lone surrogates,
 * huge numbers, prototype keys). Every message ends in its batch as a row ClickHouse can
 * read or a dead letter with a reason; the batch accounts for every offset.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import type { KafkaMessage } from 'kafkajs';
import { loadConfig } from '../../../src/config/load-config.ts';
import { DEAD_LETTER_REASONS } from '../../../src/decode/outcome.ts';
import { createDecoder } from '../../../src/decode/create-decoder.ts';
import { createEnrichment } from '../../../src/enrich/create-enrichment.ts';
import { EVENT_COLUMNS } from '../../../src/serialise/event-columns.ts';
import { BufferBudget } from '../../../src/batch/buffer-budget.ts';
import { createMessageSteps } from '../../../src/pipeline/message-steps.ts';
import { ROW_BINARY } from '../../../src/serialise/row-format.ts';
import { BatcherHarness } from '../../fixtures/batch/batcher-harness.ts';
import { nestedArrays } from '../../support/hostile.ts';

const config = loadConfig({
  env: {
    KAFKA_BROKERS: 'localhost:9092',
    DECODE_AVRO_SCHEMA_IDS: '1=schemas/avro/event.avsc',
  },
});
const enrichment = await createEnrichment(config.enrich);
after(() => enrichment.close());
const { decoder } = createDecoder(config.decode);

/** Offers every value to a fresh lane; returns the one batch holding them all. */
function throughLane(values: readonly Buffer[]) {
  const lane = new BatcherHarness(
    { topic: 'fuzz', partition: 0, offset: 0n },
    {
      limits: { maxRows: 1_000_000, maxBytes: 1 << 30, maxAgeMs: 60_000 },
      budget: new BufferBudget(1 << 30),
      now: Date.now,
    },
    createMessageSteps(decoder, enrichment.stage),
  );
  values.forEach((value, i) => {
    const message: KafkaMessage = {
      offset: String(i),
      timestamp: String(Date.now()),
      key: null,
      value,
      headers: {},
      attributes: 0,
    };
    assert.equal(lane.offer(message), 'accepted');
  });
  lane.sealIfDue(true);
  const batch = lane.takeNext();
  assert.ok(batch !== undefined);
  assert.equal(batch.rows.length + batch.rejected.length, values.length, 'every offset accounted');
  // Each row is whole: its uuid reads back from where RowBinary puts it.
  for (let k = 0; k < batch.rows.length; k++) {
    assert.match(ROW_BINARY.uuidOf(batch.rows.bytes(k)), UUID_RE);
    assert.ok(batch.rows.bytes(k).length > 16 + EVENT_COLUMNS.length);
  }
  for (const { deadLetter } of batch.rejected) {
    assert.ok(DEAD_LETTER_REASONS.includes(deadLetter.reason));
    assert.ok(deadLetter.message.length > 0);
  }
  return batch;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const base = {
  team_id: 1,
  event: '$pageview',
  distinct_id: 'u',
  timestamp: new Date().toISOString(),
};
const withField = (field: string, json: string): Buffer =>
  Buffer.from(JSON.stringify({ ...base, [field]: '__X__' }).replace('"__X__"', json));

const hostileJson = fc.oneof(
  fc
    .integer({ min: 1, max: 20_000 })
    .map((depth) => withField('properties', `{"p":${nestedArrays(depth)}}`)),
  fc
    .integer({ min: 1, max: 5_000 })
    .map((depth) => withField('properties', JSON.stringify(`{"p":${nestedArrays(depth)}}`))),
  fc
    .integer({ min: 1, max: 3_000 })
    .map((depth) => withField('context', '{"a":'.repeat(depth) + '1' + '}'.repeat(depth))),
  fc
    .integer({ min: 0, max: 30_000 })
    .map((n) => withField('properties', `{"many":[${new Array<string>(n).fill('0').join(',')}]}`)),
  fc
    .integer({ min: 0, max: 400_000 })
    .map((n) => withField('distinct_id', JSON.stringify('d'.repeat(n)))),
  fc.constantFrom(
    withField('properties', '{"$user_agent":"\\ud800","$ip":"\\udfff1.1.1.1","__proto__":{"x":1}}'),
    withField('tokens_prompt', '1e400'),
    withField('team_id', '-0'),
    withField('properties', '{"a":1,"a":2,"constructor":{"prototype":null}}'),
    Buffer.from('{"team_id":1,"team_id":"x"}'),
  ),
  fc
    .record({
      properties: fc.jsonValue({ maxDepth: 6 }),
      model: fc.oneof(fc.string(), fc.jsonValue({ maxDepth: 2 })),
      tokens_prompt: fc.jsonValue({ maxDepth: 1 }),
    })
    .map((over) => Buffer.from(JSON.stringify({ ...base, ...over }))),
);
const randomBytes = fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b));
const avroGarbage = fc
  .uint8Array({ maxLength: 256 })
  .map((b) => Buffer.concat([Buffer.from([0, 0, 0, 0, 1]), b]));

describe('decode → enrich → row never throws', () => {
  test('random bytes, Avro garbage and hostile JSON end as rows or dead letters', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(hostileJson, randomBytes, avroGarbage), { minLength: 1, maxLength: 20 }),
        (values) => {
          throughLane(values);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('each hostile shape past its default limit is the dead letter its limit names', () => {
    const batch = throughLane([
      withField('properties', `{"p":${nestedArrays(6_000)}}`),
      withField('properties', `{"many":[${new Array<string>(20_000).fill('0').join(',')}]}`),
      withField('distinct_id', JSON.stringify('d'.repeat(config.decode.maxStringLength + 1))),
      Buffer.from(JSON.stringify(base)),
    ]);
    assert.deepEqual(
      batch.rejected.map((r) => r.deadLetter.reason),
      ['too_deeply_nested', 'too_many_keys', 'string_too_long'],
    );
    assert.equal(batch.rows.length, 1);
  });
});
