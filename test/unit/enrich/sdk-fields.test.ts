/**
 * Issue 17: what PostHog SDKs send is used (device fields, `$geoip_disable`, URL fields)
 * and nothing a producer sends is silently dropped (unknown top-level fields are folded).
 * Real decode and enrichment, on payloads shaped as the SDKs send them.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig } from '../../../src/config/load-config.ts';
import type { Config } from '../../../src/config/schema.ts';
import { MessageDecoder } from '../../../src/decode/decode-message.ts';
import type { EventRow } from '../../../src/decode/event-row.ts';
import type { Outcome } from '../../../src/decode/outcome.ts';
import { CountingEnrichCounters } from '../../../src/enrich/counting-enrich-counters.ts';
import { createEnrichment } from '../../../src/enrich/create-enrichment.ts';
import {
  clashingEvent,
  handWrittenEvent,
  posthogIosEvent,
  posthogJsPageview,
  posthogNodeEvent,
} from '../../fixtures/enrich/sdk-payloads.ts';
import { decodeRow } from '../../fixtures/decode/decode-row.ts';

const NOW = Date.parse('2026-03-02T00:00:00Z');

function configWith(env: Record<string, string> = {}): Config {
  return loadConfig({ env: { KAFKA_BROKERS: 'k:9092', INGEST_WORKER_ID: 'w', ...env } });
}

async function enrichAll(
  events: readonly unknown[],
  env: Record<string, string> = {},
): Promise<{ outcomes: Outcome<EventRow>[]; counters: CountingEnrichCounters }> {
  const config = configWith(env);
  const counters = new CountingEnrichCounters();
  const enrichment = await createEnrichment(
    { ...config.enrich, geo: { ...config.enrich.geo, watchIntervalMs: 0 } },
    { counters },
  );
  try {
    const decoder = new MessageDecoder(config.decode, undefined);
    const outcomes = events.map((e, i) =>
      decodeRow(
        decoder,
        {
          topic: 't',
          partition: 0,
          offset: String(i),
          timestampMs: NOW,
          value: Buffer.from(typeof e === 'string' ? e : JSON.stringify(e)),
        },
        { nowMs: NOW, ingestedAt: '2026-03-02 00:00:00.000' },
        enrichment.stage,
      ),
    );
    return { outcomes, counters };
  } finally {
    enrichment.close();
  }
}

async function rowOf(event: unknown, env: Record<string, string> = {}): Promise<EventRow> {
  const { outcomes } = await enrichAll([event], env);
  const [outcome] = outcomes;
  assert.ok(outcome?.ok, JSON.stringify(outcome));
  return outcome.value;
}

const device = (r: EventRow): string[] => [
  r.browser,
  r.browser_version,
  r.os,
  r.os_version,
  r.device_type,
];
const geo = (r: EventRow): string[] => [r.country_code, r.region, r.city];
const props = (r: EventRow): Record<string, unknown> =>
  JSON.parse(r.properties) as Record<string, unknown>;

describe('SDK device fields win over the parsed user agent', () => {
  test('posthog-js $pageview: the SDK values, versions with their names, no disagreement', async () => {
    const { outcomes, counters } = await enrichAll([posthogJsPageview]);
    const row = (outcomes[0] as { ok: true; value: EventRow }).value;
    // The user agent says "Mac OS" / "131.0.0.0": the SDK's spelling is kept.
    assert.deepEqual(device(row), ['Chrome', '131', 'Mac OS X', '10.15.7', 'desktop']);
    assert.deepEqual(
      [row.url, row.host, row.pathname, row.referrer],
      [
        'https://hanzo.ai/pricing?utm_source=hn&utm_medium=social&utm_campaign=launch',
        'hanzo.ai',
        '/pricing',
        'https://news.ycombinator.com/',
      ],
    );
    assert.deepEqual(
      [row.utm_source, row.utm_medium, row.utm_campaign],
      ['hn', 'social', 'launch'],
    );
    assert.equal(row.session_id, '01938a2b-1111-7000-8000-000000000001');
    assert.notEqual(row.country_code, '', 'located: no $geoip_disable');
    assert.equal(counters.sdkDeviceDisagreements.size, 0, JSON.stringify(counters));
    // $set_once, a top-level field outside the contract, is kept in properties.
    assert.deepEqual(props(row)['$set_once'], {
      $initial_referrer: 'https://news.ycombinator.com/',
    });
    assert.equal(props(row)['$ip'], undefined, 'the raw IP is still removed');
  });

  test('the user agent fills what the SDK left out, and differences are counted per column', async () => {
    const brave = {
      ...posthogJsPageview,
      properties: {
        ...posthogJsPageview.properties,
        $browser: 'Brave', // Brave sends Chrome's user agent
        $browser_version: 131,
        $os: undefined,
        $os_version: '99', // a version without its name is not taken
        $device_type: 'Mobile',
      },
    };
    const { outcomes, counters } = await enrichAll([brave]);
    const row = (outcomes[0] as { ok: true; value: EventRow }).value;
    assert.deepEqual(device(row), ['Brave', '131', 'Mac OS', '10.15.7', 'mobile']);
    assert.deepEqual(Object.fromEntries(counters.sdkDeviceDisagreements), {
      browser: 1,
      device_type: 1,
    });
  });

  test('a bot user agent keeps device_type bot whatever the SDK says', async () => {
    const crawler = {
      ...posthogJsPageview,
      properties: {
        ...posthogJsPageview.properties,
        $raw_user_agent: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
      },
    };
    const row = await rowOf(crawler);
    assert.equal(row.device_type, 'bot');
    assert.equal(row.browser, 'Chrome');
  });

  test('posthog-ios event without a user agent: the SDK fields fill the columns', async () => {
    const row = await rowOf(posthogIosEvent);
    assert.deepEqual(device(row), ['', '', 'iOS', '18.1', 'mobile']);
    assert.notEqual(row.country_code, '');
    assert.equal(props(row)['$app_version'], '2.4.0');
  });

  test('with user-agent parsing off the SDK fields are still stored', async () => {
    const row = await rowOf(posthogJsPageview, { ENRICH_USER_AGENT_ENABLED: 'false' });
    assert.deepEqual(device(row), ['Chrome', '131', 'Mac OS X', '10.15.7', 'desktop']);
  });
});

describe('$geoip_disable', () => {
  test('posthog-node event with $geoip_disable: no geo columns, the IP dropped', async () => {
    const { outcomes, counters } = await enrichAll([posthogNodeEvent]);
    const row = (outcomes[0] as { ok: true; value: EventRow }).value;
    assert.deepEqual(geo(row), ['', '', '']);
    assert.equal(props(row)['$ip'], undefined);
    assert.equal(props(row)['$geoip_disable'], true);
    assert.deepEqual(device(row), ['', '', '', '', '']);
    assert.equal(counters.geoipDisabledEvents, 1);
    assert.equal(counters.geoMisses.not_found + counters.geoMisses.invalid, 0);
  });

  test('drops the IP even when ENRICH_KEEP_RAW_IP keeps it for everyone else', async () => {
    const { outcomes } = await enrichAll([posthogNodeEvent, posthogIosEvent], {
      ENRICH_KEEP_RAW_IP: 'true',
    });
    const [off, on] = outcomes.map((o) => (o as { ok: true; value: EventRow }).value);
    assert.ok(off !== undefined && on !== undefined);
    assert.equal(props(off)['$ip'], undefined);
    assert.deepEqual(geo(off), ['', '', '']);
    assert.equal(props(on)['$ip'], '81.2.69.160');
    assert.notEqual(on.country_code, '');
  });

  test('truthy values switch it on; false-like values do not', async () => {
    const withSwitch = (value: unknown): unknown => ({
      ...posthogIosEvent,
      properties: { ...posthogIosEvent.properties, $geoip_disable: value },
    });
    const on = [true, 1, 'true', 'TRUE', 'yes', '1'];
    const off = [false, 0, '', 'false', ' False ', '0', 'no', 'off', null];
    const { outcomes } = await enrichAll([...on, ...off].map(withSwitch));
    const located = outcomes.map((o) => (o.ok ? o.value.country_code !== '' : 'dead letter'));
    assert.deepEqual(located, [...on.map(() => false), ...off.map(() => true)]);
  });

  test('a configurable list of switches (ENRICH_GEOIP_DISABLE_FIELDS), top-level ones too', async () => {
    const env = {
      ENRICH_GEOIP_DISABLE_FIELDS: 'properties.$geoip_disable,properties.consent.no_geo,no_geo',
    };
    const nested = {
      ...posthogIosEvent,
      properties: { ...posthogIosEvent.properties, consent: { no_geo: true } },
    };
    const topLevel = { ...posthogIosEvent, no_geo: 'true' };
    const { outcomes } = await enrichAll([nested, topLevel, posthogIosEvent], env);
    assert.deepEqual(
      outcomes.map((o) => (o.ok ? o.value.country_code !== '' : 'dead letter')),
      [false, false, true],
    );
    // The top-level switch is itself kept, folded into properties.
    const folded = (outcomes[1] as { ok: true; value: EventRow }).value;
    assert.equal(props(folded)['no_geo'], 'true');
  });
});

describe('unknown top-level fields are kept in properties', () => {
  test('folded under their own names, counted', async () => {
    const { outcomes, counters } = await enrichAll([handWrittenEvent, posthogNodeEvent]);
    const [signup, node] = outcomes.map((o) => (o as { ok: true; value: EventRow }).value);
    assert.ok(signup !== undefined && node !== undefined);
    assert.deepEqual(props(signup), { source: 'landing', plan: 'pro' });
    assert.equal(props(node)['library'], 'posthog-node');
    assert.equal(props(node)['type'], 'capture');
    assert.deepEqual(Object.fromEntries(counters.unknownFieldsFolded), {
      plan: 1,
      type: 1,
      library: 1,
      library_version: 1,
    });
  });

  test('a name properties already has: the property keeps it, the field goes to $unknown_fields', async () => {
    const row = await rowOf(clashingEvent);
    assert.deepEqual(props(row), { plan: 'free', seats: 5, $unknown_fields: { plan: 'pro' } });
  });

  test('a clashing field is held to what properties are: no prompt, no raw IP from $unknown_fields', async () => {
    const base = { team_id: 1, event: 'e', distinct_id: 'u', timestamp: '2026-03-01T10:00:00Z' };
    const { outcomes, counters } = await enrichAll([
      { ...base, prompt: 'SECRET-B', plan: 'pro', properties: { prompt: 'p', plan: 'free' } },
      { ...base, $ai_input: [{ content: 'SECRET-C' }], properties: { $ai_input: null } },
      { ...base, messages: ['SECRET-D'], properties: JSON.stringify({ messages: 1 }) },
      { ...base, $ip: '81.2.69.160', properties: { $ip: '81.2.69.142' } },
      { ...base, $ip: '81.2.69.160', properties: { $ip: '81.2.69.142', $geoip_disable: true } },
    ]);
    assert.deepEqual(
      outcomes.map((o) => (o.ok ? props(o.value) : o.deadLetter.reason)),
      [
        { plan: 'free', $unknown_fields: { plan: 'pro' } },
        { $unknown_fields: {} },
        { $unknown_fields: {} },
        { $unknown_fields: {} },
        { $geoip_disable: true, $unknown_fields: {} },
      ],
    );
    assert.equal(counters.scrubbed.get('prompt'), 2);
  });

  test('a clash with a producer-sent $unknown_fields is a dead letter, never a lost value', async () => {
    const { outcomes } = await enrichAll([
      { ...clashingEvent, properties: { plan: 'free', $unknown_fields: {} } },
      { ...handWrittenEvent, properties: { $unknown_fields: 'mine' } },
    ]);
    const [clash, noClash] = outcomes;
    assert.ok(clash !== undefined && !clash.ok);
    assert.equal(clash.deadLetter.reason, 'wrong_type');
    assert.match(clash.deadLetter.message, /\$unknown_fields/);
    assert.ok(noClash?.ok);
  });

  test('known fields, LLM usage counts and properties given as text', async () => {
    const llm = {
      team_id: 7,
      event: '$llm_request',
      distinct_id: 'u',
      timestamp: '2026-03-01T10:00:00Z',
      model: 'gpt-4o',
      provider: 'openai',
      tokens_prompt: 10,
      tokens_cache_read: 4,
      properties: JSON.stringify({ a: 1 }),
    };
    // A `__proto__` key (JSON.parse makes it an own key) is folded as data, not a prototype.
    const text = JSON.stringify(llm);
    const row = await rowOf(`${text.slice(0, -1)},"__proto__":{"x":1}}`);
    assert.equal(row.properties, '{"a":1,"__proto__":{"x":1}}');
    assert.notEqual(row.cost_source, '');
  });

  test('a top-level IP field is not stored through its folded copy', async () => {
    const env = { ENRICH_IP_FIELDS: 'context.ip,properties.$ip' };
    const event = {
      ...handWrittenEvent,
      context: { ip: '81.2.69.160', library: { name: 'analytics-node' } },
    };
    const row = await rowOf(event, env);
    assert.notEqual(row.country_code, '', 'located from context.ip');
    assert.deepEqual(props(row)['context'], { library: { name: 'analytics-node' } });
    const kept = await rowOf(event, { ...env, ENRICH_KEEP_RAW_IP: 'true' });
    assert.deepEqual((props(kept)['context'] as { ip?: string }).ip, '81.2.69.160');
  });
});
