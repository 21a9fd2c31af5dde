/**
 * Random and hostile input never makes enrichment throw: wrong types in every field it
 * reads, huge strings, deep nesting, prototype-looking keys. The decoder may dead-letter
 * what is not an event; whatever becomes a row has well-typed columns, and no enricher
 * ever takes its error path (which would mean a bug, not bad input).
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import { MessageDecoder } from '../../../src/decode/decode-message.ts';
import { BUNDLED_GEO_DATABASES, DEFAULT_SCRUB_KEYS } from '../../../src/enrich/enrich-defaults.ts';
import { CountingEnrichCounters } from '../../../src/enrich/counting-enrich-counters.ts';
import { buildEnrichStage } from '../../../src/enrich/enrich-event.ts';
import { compileEventField } from '../../../src/enrich/event-field.ts';
import { GeoDatabase } from '../../../src/enrich/geo/geo-database.ts';
import { GeoLookup } from '../../../src/enrich/geo/geo-lookup.ts';
import { loadBundledPrices } from '../../../src/enrich/llm/bundled-prices.ts';
import { createLlmCostEnricher } from '../../../src/enrich/llm/llm-cost-enricher.ts';
import { PriceCatalog } from '../../../src/enrich/llm/price-catalog.ts';
import { createPseudonymizer } from '../../../src/enrich/privacy/pseudonymize-id.ts';
import { compileContentScrubber } from '../../../src/enrich/privacy/scrub-content.ts';
import { UserAgentLookup } from '../../../src/enrich/user-agent/user-agent-lookup.ts';
import { DECODE_CONFIG } from '../../fixtures/enrich/decoded-events.ts';
import { decodeRow } from '../../fixtures/decode/decode-row.ts';

const databases = await Promise.all(
  BUNDLED_GEO_DATABASES.map((entry) => GeoDatabase.open(entry, { watchIntervalMs: 0 })),
);
after(() => {
  for (const database of databases) database.close();
});
const bundled = await loadBundledPrices();
const failures: unknown[] = [];
const counters = new CountingEnrichCounters();
const stage = buildEnrichStage({
  counters,
  geo: new GeoLookup(databases, 1000),
  userAgent: new UserAgentLookup(1000),
  llmCost: createLlmCostEnricher({
    catalog: new PriceCatalog({ bundledSource: bundled.source, overrides: [], cacheSize: 1000 }),
    recompute: true,
  }),
  ipFields: ['properties.$ip', 'context.ip', 'properties.a.b'].map(compileEventField),
  userAgentFields: ['properties.$user_agent', 'context.userAgent'].map(compileEventField),
  scrubContent: compileContentScrubber([...DEFAULT_SCRUB_KEYS, 'request.messages', '__proto__']),
  keepRawIp: false,
  pseudonymize: createPseudonymizer('fuzzing-secret-0123456789'),
  onError: (step, err) => failures.push({ step, err }),
});
const decoder = new MessageDecoder(
  { ...DECODE_CONFIG, maxMessageBytes: 4 * 1024 * 1024 },
  undefined,
);

const HUGE = 'x'.repeat(300_000);
const hostileString = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.constantFrom(
    HUGE,
    '',
    ' ',
    '\u0000',
    '::ffff:',
    '[::1]:',
    '1.1.1.1,',
    '__proto__',
    'constructor',
  ),
  fc.constantFrom(
    '8.8.8.8',
    '2a00:1450:4001:80b::200e',
    '10.0.0.1',
    'gpt-4o',
    'claude-sonnet-4-5',
    'openai',
    'anthropic',
  ),
);
const anyValue = fc.oneof(
  { depthSize: 'small' },
  hostileString,
  fc.anything({ maxDepth: 3 }),
  fc.integer(),
  fc.double(),
  fc.constantFrom(
    -1,
    2 ** 32,
    Number.MAX_SAFE_INTEGER,
    1e300,
    1.5,
    '12',
    '99999999999',
    null,
    true,
  ),
  fc.array(hostileString, { maxLength: 3 }),
);
const properties = fc.oneof(
  fc.dictionary(hostileString, anyValue, { maxKeys: 6 }),
  fc.record(
    {
      $ip: anyValue,
      $user_agent: anyValue,
      $current_url: anyValue,
      $ai_model: anyValue,
      $ai_provider: anyValue,
      $ai_input_tokens: anyValue,
      $ai_output_tokens: anyValue,
      $ai_total_cost_usd: anyValue,
      $ai_cache_read_input_tokens: anyValue,
      $ai_reasoning_tokens: anyValue,
      $ai_input: anyValue,
      messages: anyValue,
      request: anyValue,
      a: anyValue,
    },
    { requiredKeys: [] },
  ),
);
const event = fc.record(
  {
    team_id: fc.oneof(fc.constant(1), anyValue),
    event: fc.oneof(fc.constantFrom('$llm_request', '$pageview'), anyValue),
    distinct_id: fc.oneof(fc.constant('u'), anyValue),
    timestamp: fc.oneof(
      fc.constant('2026-03-01T12:00:00Z'),
      fc.integer({ min: 0, max: 1.8e12 }),
      anyValue,
    ),
    properties: fc.oneof(
      properties,
      properties.map((p) => JSON.stringify(p)),
      anyValue,
    ),
    model: anyValue,
    provider: anyValue,
    tokens_prompt: anyValue,
    tokens_completion: anyValue,
    tokens_cache_read: anyValue,
    tokens_cache_write: anyValue,
    tokens_reasoning: anyValue,
    cost_usd: anyValue,
    context: fc.oneof(fc.record({ ip: anyValue, userAgent: anyValue }), anyValue),
  },
  { requiredKeys: ['team_id', 'event', 'distinct_id', 'timestamp'] },
);

const STRING_COLUMNS = [
  'distinct_id',
  'properties',
  'browser',
  'browser_version',
  'os',
  'os_version',
  'device_type',
  'country_code',
  'city',
  'region',
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'model',
  'provider',
  'cost_source',
] as const;

function decodeAndEnrich(value: unknown, offset: number): void {
  let bytes: Buffer;
  try {
    bytes = Buffer.from(JSON.stringify(value) ?? 'null');
  } catch {
    return; // not serialisable (cannot arrive from Kafka as JSON)
  }
  const outcome = decodeRow(
    decoder,
    { topic: 'fuzz', partition: 0, offset: String(offset), timestampMs: Date.now(), value: bytes },
    { nowMs: Date.now(), ingestedAt: '2026-11-21 00:00:00.000' },
    stage,
  );
  if (!outcome.ok) {
    assert.ok(outcome.deadLetter.reason.length > 0);
    return;
  }
  const row = outcome.value;
  for (const column of STRING_COLUMNS) assert.equal(typeof row[column], 'string', column);
  assert.match(row.cost_usd, /^\d{1,10}(\.\d{1,8})?$/);
  assert.ok(
    Number.isInteger(row.tokens_prompt) && row.tokens_prompt >= 0 && row.tokens_prompt < 2 ** 32,
  );
  assert.ok(
    Number.isInteger(row.tokens_completion) &&
      row.tokens_completion >= 0 &&
      row.tokens_completion < 2 ** 32,
  );
  assert.match(row.country_code, /^([A-Z]{2})?$/);
  assert.ok(['', 'provided', 'unknown', 'override', bundled.source].includes(row.cost_source));
  const stored = JSON.parse(row.properties) as Record<string, unknown>;
  assert.ok(
    !Object.hasOwn(stored, '$ip') &&
      !Object.hasOwn(stored, '$ai_input') &&
      !Object.hasOwn(stored, 'messages'),
  );
  assert.ok(JSON.stringify(row).length > 0);
}

describe('enrichment fuzzing', () => {
  test('structured hostile events', () => {
    let offset = 0;
    fc.assert(
      fc.property(event, (e) => {
        decodeAndEnrich(e, offset++);
      }),
      { numRuns: 1500 },
    );
    assert.deepEqual(failures, []);
  });

  test('anything at all', () => {
    let offset = 0;
    fc.assert(
      fc.property(fc.anything({ maxDepth: 4 }), (value) => {
        decodeAndEnrich(value, offset++);
      }),
      { numRuns: 500 },
    );
    assert.deepEqual(failures, []);
  });

  test('deeply nested properties and huge values', () => {
    let nested: Record<string, unknown> = { $ip: '8.8.8.8' };
    for (let i = 0; i < 2_000; i++) nested = { a: nested, messages: [i] };
    decodeAndEnrich(
      {
        team_id: 1,
        event: '$llm_request',
        distinct_id: HUGE,
        timestamp: 0,
        model: HUGE,
        properties: { ...nested, $user_agent: HUGE, $ip: HUGE },
      },
      1,
    );
    assert.deepEqual(failures, []);
  });
});
