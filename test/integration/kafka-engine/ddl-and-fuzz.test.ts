import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { loadConfig } from '../../../src/config/load-config.ts';
import type { Config } from '../../../src/config/schema.ts';
import {
  applyKafkaEngine,
  dropKafkaEnginePipeline,
} from '../../../src/kafka-engine/apply-kafka-engine.ts';
import { geoDdl } from '../../../src/kafka-engine/geo/geo-networks.ts';
import {
  userAgentDictionarySql,
  userAgentTableSql,
} from '../../../src/kafka-engine/user-agent/user-agent-ddl.ts';
import { kafkaEngineObjects } from '../../../src/kafka-engine/object-names.ts';
import { kafkaEngineOptions } from '../../../src/kafka-engine/options.ts';
import type { PricingTables } from '../../../src/kafka-engine/pricing/pricing-tables.ts';
import { loadPricingTables } from '../../../src/kafka-engine/pricing/load-pricing-tables.ts';
import {
  renderPricingDictionaries,
  renderPricingTables,
} from '../../../src/kafka-engine/pricing/render-pricing-ddl.ts';
import { renderKafkaEngineDdl } from '../../../src/kafka-engine/render-kafka-engine.ts';
import { createEventsTableSql } from '../../../src/schema/events-table.ts';
import {
  compareEventsTables,
  errorClasses,
  insertRawMessages,
} from '../../fixtures/kafka-engine/compare-landed.ts';
import { decodeLikeTheWorker, type Placed } from '../../fixtures/kafka-engine/worker-reference.ts';
import { queryRows, testClickHouse } from '../../support/clickhouse.ts';
import { createTopics, testKafka } from '../../support/kafka.ts';
import { testStack, uniqueName } from '../../support/stack-env.ts';

describe('kafka-engine DDL and views', () => {
  const clickhouse = testClickHouse();
  let pricing: PricingTables;
  before(async () => {
    pricing = await loadPricingTables();
  });
  after(() => clickhouse.close());

  const configFor = (env: Record<string, string>): Readonly<Config> =>
    loadConfig({
      env: {
        KAFKA_BROKERS: testStack().brokers.join(','),
        INGEST_MODE: 'kafka-engine',
        ...env,
      },
    });

  test('every statement, single-node and clustered, is accepted by ClickHouse’s parser', async () => {
    const options = kafkaEngineOptions(
      configFor({ KAFKA_ENGINE_GEO_NETWORKS_FILE: '/dev/null' }),
      pricing,
    );
    const auth = { user: 'hanzo', password: 'secret' };
    let checked = 0;
    for (const target of [
      { database: 'hanzo', eventsTable: 'events' },
      { database: 'hanzo', eventsTable: 'events', cluster: '{cluster}', distributed: true },
    ]) {
      const objects = kafkaEngineObjects(target);
      const ddl = renderKafkaEngineDdl(objects, options.kafka, options.parse);
      const statements = [
        ...renderPricingTables(objects),
        ...renderPricingDictionaries(objects, auth),
        ...geoDdl(objects, auth),
        userAgentTableSql(objects),
        userAgentDictionarySql(objects, auth),
        ddl.errorsTable,
        ...ddl.pipeline,
        ...ddl.drop,
      ];
      for (const sql of statements) {
        const [row] = await queryRows<{ f: string }>(
          clickhouse,
          'SELECT formatQuery({q:String}) AS f',
          { q: sql },
        );
        assert.ok((row?.f.length ?? 0) > 10, sql.slice(0, 120));
        checked++;
      }
    }
    assert.ok(checked >= 36, String(checked));
  });

  test('random events: the views never fail, and agree with the worker on every one', async () => {
    const table = uniqueName('kfuzz');
    const topic = uniqueName('kfuzz_topic');
    const config = configFor({
      CLICKHOUSE_TABLE: table,
      KAFKA_TOPICS: topic,
      KAFKA_GROUP_ID: `${topic}_group`,
      KAFKA_ENGINE_NUM_CONSUMERS: '1',
      ENRICH_GEO_ENABLED: 'false',
    });
    const nowMs = Date.now();
    const values = fc.sample(randomMessage(nowMs), { numRuns: 1_500, seed: 4747 });
    const placed: Placed[] = values.map((value, i) => ({
      value,
      label: value.toString('utf8').slice(0, 200),
      topic,
      partition: i % 2,
      offset: Math.floor(i / 2),
      timestampMs: nowMs - 500,
    }));
    const reference = await decodeLikeTheWorker(config, placed, nowMs);
    await createTopics(testKafka(), [{ topic, partitions: 2 }]);
    for (const t of [table, `${table}_worker`]) {
      for (const query of createEventsTableSql({ database: 'default', table: t })) {
        await clickhouse.command({ query });
      }
    }
    const objects = kafkaEngineObjects({ database: 'default', eventsTable: table });
    await applyKafkaEngine(clickhouse, {
      objects,
      options: kafkaEngineOptions(config, pricing),
      auth: { user: testStack().clickhouse.username, password: testStack().clickhouse.password },
      pricing,
      geo: undefined,
      owner: table,
    });
    try {
      // Three blocks, as the engine would hand them over.
      for (let i = 0; i < placed.length; i += 500) {
        await insertRawMessages(clickhouse, objects.rawTable, placed.slice(i, i + 500));
      }
      // Documented: a JSON number ClickHouse cannot hold (an integer beyond 64 bits, a double
      // beyond its range) makes the whole message invalid_json in kafka-engine mode.
      const readable = (row: { _partition: number; _offset: string }): boolean =>
        classNotReadableByClickHouse(
          placed.find((m) => m.partition === row._partition && String(m.offset) === row._offset)
            ?.value ?? Buffer.alloc(0),
        ) === undefined;
      await clickhouse.insert({
        table: `default.${table}_worker`,
        values: reference.rows.filter(readable),
        format: 'JSONEachRow',
      });
      const errors = await errorClasses(clickhouse, objects.errorsTable, topic);
      const [landed] = await queryRows<{ n: number }>(
        clickhouse,
        `SELECT count() AS n FROM default.${table}`,
      );
      assert.ok(
        reference.rows.length > 100 && reference.deadLetters.size > 100,
        'both kinds generated',
      );

      const labelOf = new Map(placed.map((m) => [`${m.partition}:${m.offset}`, m.label]));
      const unreadable = new Map<string, string>();
      for (const m of placed) {
        const cls = classNotReadableByClickHouse(m.value);
        if (cls !== undefined) unreadable.set(`${m.partition}:${m.offset}`, cls);
      }
      assert.ok(unreadable.size > 0, 'the documented difference is exercised');
      const expected = placed
        .map((m) => `${m.partition}:${m.offset}`)
        .filter((k) => reference.deadLetters.has(k) || unreadable.has(k))
        .map(
          (k) =>
            `${k} ${unreadable.get(k) ?? reference.deadLetters.get(k)?.reason} ${labelOf.get(k) ?? ''}`,
        )
        .sort();
      const actual = [...errors]
        .map(([k, e]) => `${k} ${e.errorClass} ${labelOf.get(k) ?? ''}`)
        .sort();
      assert.deepEqual(actual, expected);
      const comparison = await compareEventsTables(
        clickhouse,
        `default.${table}`,
        `default.${table}_worker`,
      );
      assert.deepEqual(
        {
          onlyKafkaEngine: comparison.onlyA,
          onlyWorker: comparison.onlyB,
          mismatches: comparison.mismatches,
        },
        { onlyKafkaEngine: 0, onlyWorker: 0, mismatches: {} },
        JSON.stringify(comparison, null, 2),
      );
      assert.equal(
        Number(landed?.n) + errors.size,
        placed.length,
        'every message is a row or an error',
      );
    } finally {
      await dropKafkaEnginePipeline(clickhouse, objects);
    }
  });
});

/**
 * A Kafka message value: mostly event objects whose known fields hold right, wrong or odd
 * values, sometimes plain JSON of any shape, text or bytes.
 */
function randomMessage(nowMs: number): fc.Arbitrary<Buffer> {
  // Any JSON, with numbers below 1e21 in magnitude: above, JavaScript writes 1e+21 where
  // ClickHouse writes 1e21 (documented); below, integers beyond 64 bits still come up.
  const number = fc.oneof(
    fc.integer(),
    fc.double({ min: -1e20, max: 1e20, noNaN: true, noDefaultInfinity: true }),
  );
  const anyJson = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.constant(null),
      fc.boolean(),
      number,
      fc.string({ maxLength: 10 }),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(fc.string({ maxLength: 6 }), tie('value'), { maxKeys: 4 }),
    ),
  })).value;
  const text = fc.string({ maxLength: 12 });
  // About one field in fifty wrong: events come out valid or broken in similar numbers.
  const field = <T>(good: fc.Arbitrary<T>, absent = 4): fc.Arbitrary<unknown> =>
    fc.oneof(
      { weight: 60, arbitrary: good },
      { weight: 1, arbitrary: anyJson },
      { weight: absent, arbitrary: fc.constant(undefined) },
    );
  const timestamp = fc.oneof(
    fc.integer({ min: nowMs - 86_400_000, max: nowMs }),
    fc.integer({ min: nowMs - 86_400_000, max: nowMs }).map((ms) => new Date(ms).toISOString()),
    fc
      .integer({ min: nowMs - 86_400_000, max: nowMs })
      .map((ms) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19)),
    fc.constantFrom('2099-01-01T00:00:00Z', '1960-01-01T00:00:00Z', 'soon', ''),
  );
  const properties = fc.dictionary(
    fc.oneof(
      fc.constantFrom(
        '$ip',
        '$current_url',
        '$host',
        '$pathname',
        '$referrer',
        'utm_source',
        'messages',
        'prompt',
        '$ai_model',
        '$ai_input_tokens',
        '1',
        '20',
      ),
      text,
    ),
    fc.oneof(
      fc.constantFrom('8.8.8.8', '10.1.2.3', 'https://hanzo.ai/p?utm_source=x', 'gpt-4o', '12'),
      anyJson,
    ),
    { maxKeys: 6 },
  );
  const event = fc.record(
    {
      uuid: field(fc.uuid()),
      team_id: field(fc.oneof(fc.nat(), fc.nat().map(String)), 0),
      event: field(fc.constantFrom('$pageview', '$llm_request', 'signup', ''), 0),
      distinct_id: field(fc.oneof(text, fc.nat()), 0),
      timestamp: field(timestamp, 0),
      properties: field(
        fc.oneof(
          properties,
          properties.map((p) => JSON.stringify(p)),
        ),
      ),
      session_id: field(text),
      url: field(fc.constantFrom('https://Hanzo.ai:8443/a', 'not a url', 'http://x.io')),
      model: field(fc.constantFrom('gpt-4o', 'claude-sonnet-4-5', 'zen-1', 'GPT-4O-MINI')),
      provider: field(fc.constantFrom('openai', 'anthropic', 'azure', '')),
      tokens_prompt: field(fc.oneof(fc.nat({ max: 100_000 }), fc.nat({ max: 999 }).map(String))),
      tokens_completion: field(fc.nat({ max: 10_000 })),
      cost_usd: field(
        fc.oneof(
          fc.constantFrom(0.5, '1.25', 3),
          fc.double({ min: 0, max: 100, noNaN: true }).map((d) => Math.round(d * 1000) / 1000),
        ),
      ),
      organization_id: field(text),
    },
    { requiredKeys: [] },
  );
  return fc.oneof(
    { weight: 12, arbitrary: event.map((e) => Buffer.from(JSON.stringify(e))) },
    { weight: 1, arbitrary: anyJson.map((v) => Buffer.from(JSON.stringify(v) ?? 'null')) },
    { weight: 1, arbitrary: fc.string({ maxLength: 30 }).map((s) => Buffer.from(s)) },
    {
      weight: 1,
      arbitrary: fc.uint8Array({ minLength: 1, maxLength: 30 }).map((b) => Buffer.from(b)),
    },
  );
}

/**
 * The class kafka-engine mode gives a message because of a number ClickHouse cannot hold:
 * `invalid_json` when the message has one, `wrong_type` when only its properties (given as
 * JSON text) have one; undefined when neither.
 */
function classNotReadableByClickHouse(value: Buffer): string | undefined {
  if (hasNumberClickHouseCannotRead(value.toString('utf8'))) return 'invalid_json';
  try {
    const event = JSON.parse(value.toString('utf8')) as unknown;
    const props = (event as { properties?: unknown } | null)?.properties;
    if (
      typeof event === 'object' &&
      event !== null &&
      !Array.isArray(event) &&
      typeof props === 'string'
    ) {
      return hasNumberClickHouseCannotRead(props) ? 'wrong_type' : undefined;
    }
  } catch {
    // Not JSON: decided elsewhere.
  }
  return undefined;
}

/**
 * Whether a JSON text holds a number ClickHouse's parser refuses: an integer literal outside
 * Int64/UInt64, or a number beyond the double range (JavaScript reads both, as a double or
 * as Infinity). String literals are skipped.
 */
function hasNumberClickHouseCannotRead(json: string): boolean {
  const text = json.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  for (const token of text.match(/-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g) ?? []) {
    if (/^-?\d+$/.test(token)) {
      const n = BigInt(token);
      if (n < -(2n ** 63n) || n > 2n ** 64n - 1n) return true;
    } else if (!Number.isFinite(Number(token))) {
      return true;
    }
  }
  return false;
}
