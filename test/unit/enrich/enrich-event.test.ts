import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { configSchema, type EnrichConfig } from '../../../src/config/schema.ts';
import { CountingEnrichCounters } from '../../../src/enrich/counting-enrich-counters.ts';
import { createEnrichment, type Enrichment } from '../../../src/enrich/create-enrichment.ts';
import { enrichedRow } from '../../fixtures/enrich/decoded-events.ts';

const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1';

function enrichConfig(overrides: Record<string, unknown> = {}): EnrichConfig {
  return configSchema.parse({ workerId: 't', kafka: { brokers: ['k:9092'] }, enrich: overrides })
    .enrich;
}

const built: Enrichment[] = [];
after(() => {
  for (const e of built) e.close();
});

async function enrichment(
  overrides: Record<string, unknown> = {},
): Promise<{ enrichment: Enrichment; counters: CountingEnrichCounters }> {
  const counters = new CountingEnrichCounters();
  const e = await createEnrichment(enrichConfig(overrides), { counters });
  built.push(e);
  return { enrichment: e, counters };
}

const defaults = await enrichment();

describe('enrich stage: one event through every enricher', () => {
  test('geo, device, campaign columns; the raw IP and content keys leave properties', () => {
    const { enrichment: e, counters } = defaults;
    const row = enrichedRow(e.stage, {
      properties: {
        $ip: '81.2.69.160',
        $user_agent: IPHONE,
        $current_url:
          'https://hanzo.ai/pricing?utm_source=newsletter&utm_medium=email&utm_campaign=launch#top',
        $ai_input: [{ role: 'user', content: 'my secret prompt' }],
        messages: 'also secret',
        plan: 'pro',
      },
    });
    assert.deepEqual([row.country_code, row.region, row.city], ['GB', 'England', 'London']);
    assert.deepEqual(
      [row.browser, row.browser_version, row.os, row.os_version, row.device_type],
      ['Mobile Safari', '17.4.1', 'iOS', '17.4.1', 'mobile'],
    );
    assert.deepEqual(
      [row.utm_source, row.utm_medium, row.utm_campaign, row.host, row.pathname],
      ['newsletter', 'email', 'launch', 'hanzo.ai', '/pricing'],
    );
    const stored = JSON.parse(row.properties) as Record<string, unknown>;
    assert.deepEqual(Object.keys(stored).sort(), ['$current_url', '$user_agent', 'plan']);
    assert.ok(!row.properties.includes('secret'));
    assert.ok(!row.properties.includes('81.2.69.160'));
    assert.equal(counters.scrubbed.get('$ai_input'), 1);
    assert.equal(counters.scrubbed.get('messages'), 1);
  });

  test('properties that arrive as JSON text and lose nothing are stored verbatim', () => {
    const text = '{ "plan" : "pro",  "n": 1.50 }';
    const { enrichment: e } = defaults;
    assert.equal(enrichedRow(e.stage, { properties: text }).properties, text);
    // Once something is removed they are serialised again, once.
    const withIp = '{"plan":"pro","$ip":"8.8.8.8"}';
    const row = enrichedRow(e.stage, { properties: withIp });
    assert.equal(row.properties, '{"plan":"pro"}');
    assert.equal(row.country_code, 'US');
  });

  test('misses are counted, never dead letters', () => {
    const { enrichment: e, counters } = defaults;
    const before = { ...counters.geoMisses, ua: counters.userAgentsUnparsed };
    const rows = [
      enrichedRow(e.stage, {
        properties: { $ip: '10.0.0.1', $user_agent: 'Mozilla/5.0 (Unknown; Foo)' },
      }),
      enrichedRow(e.stage, { properties: { $ip: 'nonsense', $user_agent: 42 } }),
      enrichedRow(e.stage, { properties: { $ip: 12 } }),
      enrichedRow(e.stage, { properties: {} }), // no IP field at all: not a miss
    ];
    for (const row of rows)
      assert.deepEqual([row.country_code, row.city, row.browser], ['', '', '']);
    assert.equal(counters.geoMisses.private, before.private + 1);
    assert.equal(counters.geoMisses.invalid, before.invalid + 2);
    assert.equal(counters.userAgentsUnparsed, before.ua + 2);
  });

  test('configured fields: a top-level IP and UA (Segment-style context)', async () => {
    const { enrichment: e } = await enrichment({
      ipFields: ['context.ip', 'properties.$ip'],
      userAgentFields: ['context.userAgent'],
    });
    const row = enrichedRow(e.stage, {
      context: { ip: '2a00:1450:4001:80b::200e', userAgent: IPHONE },
      properties: { $ip: '8.8.8.8' },
    });
    assert.equal(row.country_code, 'DE');
    assert.equal(row.device_type, 'mobile');
    // Both configured IP fields are removed from properties, the top-level one from the copy
    // decode folded into properties (the rest of `context` is kept: nothing is dropped).
    assert.deepEqual(JSON.parse(row.properties), { context: { userAgent: IPHONE } });
  });

  test('keepRawIp keeps the address in properties', async () => {
    const { enrichment: e } = await enrichment({ keepRawIp: true, geo: { enabled: false } });
    const row = enrichedRow(e.stage, { properties: '{"$ip":"8.8.8.8"}' });
    assert.equal(row.properties, '{"$ip":"8.8.8.8"}');
    assert.equal(row.country_code, '');
  });

  test('scrub keys are configurable, nested keys included', async () => {
    const { enrichment: e, counters } = await enrichment({
      scrubKeys: ['request.body.messages', 'answer'],
      geo: { enabled: false },
    });
    const row = enrichedRow(e.stage, {
      properties: {
        request: { body: { messages: ['secret'], model: 'x' } },
        answer: 'secret',
        prompt: 'kept now',
      },
    });
    assert.deepEqual(JSON.parse(row.properties), {
      request: { body: { model: 'x' } },
      prompt: 'kept now',
    });
    assert.equal(counters.scrubbed.get('request.body.messages'), 1);
  });

  test('distinct_id pseudonymisation: keyed HMAC-SHA256, stable, off by default', async () => {
    const secret = 'a-long-enough-secret-value';
    const { enrichment: e } = await enrichment({
      distinctIdSecret: secret,
      geo: { enabled: false },
    });
    const a = enrichedRow(e.stage, { distinct_id: 'user@example.com' });
    const b = enrichedRow(e.stage, { distinct_id: 'user@example.com' });
    assert.equal(
      a.distinct_id,
      createHmac('sha256', secret).update('user@example.com').digest('hex'),
    );
    assert.equal(a.distinct_id, b.distinct_id);
    assert.equal(
      enrichedRow(defaults.enrichment.stage, { distinct_id: 'user@example.com' }).distinct_id,
      'user@example.com',
    );
  });

  test('each enricher can be switched off', async () => {
    const { enrichment: e } = await enrichment({
      geo: { enabled: false },
      userAgent: { enabled: false },
      llmCost: { enabled: false },
    });
    const row = enrichedRow(e.stage, {
      event: '$llm_request',
      model: 'gpt-4o',
      tokens_prompt: 100,
      properties: { $ip: '8.8.8.8', $user_agent: IPHONE, prompt: 'secret' },
    });
    assert.deepEqual(
      [row.country_code, row.browser, row.cost_usd, row.cost_source],
      ['', '', '0', ''],
    );
    // Privacy is not an enricher: content and the raw IP still go.
    assert.deepEqual(JSON.parse(row.properties), { $user_agent: IPHONE });
    assert.deepEqual(e.summary.geo, 'off');
  });
});
