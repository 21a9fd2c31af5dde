import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import { DEFAULT_SCRUB_KEYS } from '../../../src/enrich/enrich-defaults.ts';
import { compareEventsTables, errorClasses } from '../../fixtures/kafka-engine/compare-landed.ts';
import {
  assertLandedAlike,
  kafkaEngineTestConfig,
  landInBothModes,
  placeMessages,
} from '../../fixtures/kafka-engine/land-in-both-modes.ts';
import { decodeLikeTheWorker } from '../../fixtures/kafka-engine/worker-reference.ts';
import { queryRows, testClickHouse } from '../../support/clickhouse.ts';
import { createTopics, testKafka } from '../../support/kafka.ts';
import { uniqueName } from '../../support/stack-env.ts';

/** Dotted keys beside the defaults: nested, overlapping, three deep, an index-like segment. */
const NESTED = ['request.messages', 'request.body.prompt', 'a.b', 'a.b.c', 'a.x.c', 'llm.0'];
const SCRUB_KEYS = [...DEFAULT_SCRUB_KEYS, ...NESTED];

/** Hand-written cases, properties as the producer's JSON text (duplicates, arrays, text). */
const CASES: readonly [string, string][] = [
  ['nested key removed', '{"request":{"messages":[{"role":"user"}],"model":"m"},"k":1}'],
  ['deep key removed, siblings kept', '{"request":{"body":{"prompt":"p","n":2},"z":null}}'],
  ['parent is an array: kept', '{"request":[{"messages":1}]}'],
  ['parent is a string: kept', '{"request":"messages"}'],
  ['parent absent', '{"other":{"messages":1}}'],
  ['leaf and its parent both listed', '{"a":{"b":{"c":1,"d":2},"e":3}}'],
  ['only the deeper path matches', '{"a":{"x":{"c":1,"d":[1,2]},"b2":1}}'],
  ['index-like segment', '{"llm":{"0":"secret","1":"kept","10":"kept"}}'],
  ['duplicate removed key', '{"request":{"messages":1,"x":2,"messages":3}}'],
  ['escaped text and unicode', '{"request":{"messages":"x","q\\"k":"a/b","é":"\\u00e9"}}'],
  ['nothing to remove: text kept verbatim', '{ "request" : { "model" : "m" } }'],
  ['top-level default key and nested', '{"prompt":"p","request":{"messages":1},"messages":[]}'],
];

describe('kafka-engine mode removes the configured scrub keys as the worker does', () => {
  const clickhouse = testClickHouse();
  after(() => clickhouse.close());

  test('dotted keys: the same properties in both modes, no scrubbed key stored', async () => {
    const table = uniqueName('kscrub');
    const topic = uniqueName('kscrub_topic');
    const config = kafkaEngineTestConfig(table, topic, {
      KAFKA_GROUP_ID: `${topic}_group`,
      KAFKA_ENGINE_NUM_CONSUMERS: '1',
      ENRICH_GEO_ENABLED: 'false',
      ENRICH_LLM_COST_ENABLED: 'false',
      ENRICH_SCRUB_KEYS: SCRUB_KEYS.join(','),
    });
    const nowMs = Date.now();
    const event = (properties: string, i: number): Buffer =>
      Buffer.from(
        `{"team_id":1,"event":"e","distinct_id":"d${i}","timestamp":${nowMs - 1000},"properties":${properties}}`,
      );
    const random = fc.sample(randomProperties(), { numRuns: 600, seed: 2026 });
    const values: { label: string; value: Buffer }[] = [
      ...CASES.map(([label, props], i) => ({ label, value: event(props, i) })),
      // The same, with properties given as JSON text (a string).
      ...CASES.map(([label, props], i) => ({
        label: `${label} (as text)`,
        value: event(JSON.stringify(props), i),
      })),
      ...random.map((p, i) => ({ label: JSON.stringify(p), value: event(JSON.stringify(p), i) })),
    ];
    const placed = placeMessages(values, topic, nowMs - 500);
    const reference = await decodeLikeTheWorker(config, placed, nowMs);
    assert.equal(reference.deadLetters.size, 0, JSON.stringify([...reference.deadLetters]));
    await createTopics(testKafka(), [{ topic, partitions: 1 }]);
    await landInBothModes(
      clickhouse,
      config,
      { placed, workerRows: reference.rows },
      async ({ objects, engineTable, workerTable }) => {
        assert.deepEqual([...(await errorClasses(clickhouse, objects.errorsTable, topic))], []);
        const comparison = await compareEventsTables(clickhouse, engineTable, workerTable);
        assertLandedAlike(comparison, placed.length);

        // On the stored data: no listed key under objects (JSONHas follows object keys only).
        const path = (k: string): string =>
          k
            .split('.')
            .map((segment) => `'${segment}'`)
            .join(', ');
        const [left] = await queryRows<{ n: number }>(
          clickhouse,
          `SELECT countIf(${NESTED.map((k) => `JSONHas(properties, ${path(k)})`).join(' OR ')}) AS n FROM ${engineTable}`,
        );
        assert.equal(Number(left?.n), 0, 'a scrubbed key was stored');
        const exercised = values.filter((m) => NESTED.some((k) => hasPath(m.value, k))).length;
        assert.ok(exercised > 100, `messages with a key to remove: ${exercised}`);
        console.log(`${placed.length} messages, ${exercised} with a dotted key to remove: equal`);
      },
    );
  });
});

/** Whether the message's properties (an object or JSON text of one) have the dotted key. */
function hasPath(message: Buffer, dotted: string): boolean {
  const event = JSON.parse(message.toString('utf8')) as { properties: unknown };
  let node: unknown =
    typeof event.properties === 'string' ? JSON.parse(event.properties) : event.properties;
  for (const segment of dotted.split('.')) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return false;
    if (!Object.hasOwn(node, segment)) return false;
    node = (node as Record<string, unknown>)[segment];
  }
  return true;
}

/**
 * Properties objects shaped around the scrub paths: each object on a path present or not,
 * sometimes an array or a scalar instead, with random siblings and values.
 */
function randomProperties(): fc.Arbitrary<Record<string, unknown>> {
  // Numbers within ±1e18: JavaScript writes larger doubles as integers ClickHouse cannot
  // hold, or with an exponent ClickHouse writes differently (docs/kafka-engine.md, documented).
  const scalar = fc.oneof(
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ min: -1e18, max: 1e18, noNaN: true, noDefaultInfinity: true }),
    fc.string({ maxLength: 8 }),
  );
  const key = fc.constantFrom('messages', 'prompt', 'b', 'c', '0', '7', 'other', 'x');
  const value = fc.letrec<{ v: unknown }>((tie) => ({
    v: fc.oneof(
      { depthSize: 'small', maxDepth: 3 },
      scalar,
      fc.array(tie('v'), { maxLength: 3 }),
      fc.dictionary(key, tie('v'), { maxKeys: 3 }),
    ),
  })).v;
  /** An object with these members (each present or not) and random others; or not an object. */
  const objectWith = (members: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<unknown> =>
    fc.oneof(
      {
        weight: 6,
        arbitrary: fc
          .tuple(
            fc.record(members, { requiredKeys: [] }),
            fc.dictionary(key, value, { maxKeys: 2 }),
          )
          .map(([m, extra]) => ({ ...extra, ...m })),
      },
      { weight: 1, arbitrary: fc.array(value, { maxLength: 2 }) },
      { weight: 1, arbitrary: scalar },
    );
  return fc.record(
    {
      request: objectWith({
        messages: value,
        body: objectWith({ prompt: value, n: value }),
        model: value,
      }),
      a: objectWith({ b: objectWith({ c: value, d: value }), x: objectWith({ c: value }) }),
      llm: objectWith({ '0': value, '1': value }),
      messages: value,
      other: value,
    },
    { requiredKeys: [] },
  );
}
