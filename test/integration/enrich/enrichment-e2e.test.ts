/**
 * End to end on the local stack: events with client IPs, user agents and LLM usage are
 * produced to Kafka, a real worker process (enrichment on, as configured in production:
 * bundled DB-IP data, bundled genai-prices data, a pricing overrides file) consumes them,
 * and the rows in ClickHouse carry the enriched columns. LLM cost sums are checked exactly,
 * in `events` and in the `token_usage_daily` rollup the migrations create.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { Message } from 'kafkajs';
import { formatScaled, toScaled } from '../../../src/enrich/llm/exact-decimal.ts';
import { migrateUp } from '../../../src/migrate/run-migrations.ts';
import { queryRows, testClickHouse } from '../../support/clickhouse.ts';
import { createTopics, produce, testKafka, waitForCommittedToLogEnd } from '../../support/kafka.ts';
import { uniqueName, waitFor } from '../../support/stack-env.ts';
import { startWorkerProcess } from '../../support/worker-process.ts';

const DAY_MS = 86_400_000;
const today = Date.UTC(
  new Date().getUTCFullYear(),
  new Date().getUTCMonth(),
  new Date().getUTCDate(),
);
const dayText = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
/** Noon UTC `n` days ago (inside the 12-month TTL, never in the future). */
const noon = (daysAgo: number): number => today - daysAgo * DAY_MS + 12 * 3_600_000;
/** The overrides file's price change, two days ago: events before and after it. */
const PRICE_CHANGE = dayText(today - 2 * DAY_MS);

const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1';
const WINDOWS_CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

interface PageviewKind {
  readonly ip: string;
  readonly ua: string;
  readonly count: number;
  /** country_code, region, city, browser, os, device_type */
  readonly expected: readonly [string, string, string, string, string, string];
}

const PAGEVIEWS: readonly PageviewKind[] = [
  {
    ip: '81.2.69.160',
    ua: IPHONE,
    count: 30,
    expected: ['GB', 'England', 'London', 'Mobile Safari', 'iOS', 'mobile'],
  },
  {
    ip: '2a00:1450:4001:80b::200e',
    ua: WINDOWS_CHROME,
    count: 25,
    expected: ['DE', 'Hesse', 'Frankfurt am Main', 'Chrome', 'Windows', 'desktop'],
  },
  {
    ip: '::ffff:8.8.8.8',
    ua: GOOGLEBOT,
    count: 10,
    expected: ['US', 'California', 'Mountain View', '', '', 'bot'],
  },
  {
    ip: '10.1.2.3',
    ua: WINDOWS_CHROME,
    count: 15,
    expected: ['', '', '', 'Chrome', 'Windows', 'desktop'],
  },
];

interface LlmKind {
  readonly org: string;
  readonly model: string;
  readonly provider: string;
  readonly daysAgo: number;
  readonly count: number;
  readonly fields: Record<string, unknown>;
  /** Per event, computed by hand from $/million tokens. */
  readonly costEach: string;
  readonly source: string;
}

const BUNDLED = 'bundled@0.1.8';
const LLM: readonly LlmKind[] = [
  {
    // (10,000 − 4,000) × 2.50 + 4,000 × 1.25 + 500 × 10 = 25,000 / 1e6
    org: 'org_a',
    model: 'gpt-4o',
    provider: 'openai',
    daysAgo: 1,
    count: 40,
    fields: { tokens_prompt: 10_000, tokens_completion: 500, tokens_cache_read: 4_000 },
    costEach: '0.025',
    source: BUNDLED,
  },
  {
    // 210 × 0.15 + 1,024 × 0.075 + 77 × 0.60 = 154.5 / 1e6
    org: 'org_a',
    model: 'gpt-4o-mini',
    provider: 'openai',
    daysAgo: 1,
    count: 30,
    fields: { tokens_prompt: 1_234, tokens_completion: 77, tokens_cache_read: 1_024 },
    costEach: '0.0001545',
    source: BUNDLED,
  },
  {
    // 1 cached token × 0.075 = 0.075 / 1e6 = 0.000000075 → 0.00000008 (half-up)
    org: 'org_b',
    model: 'gpt-4o-mini',
    provider: 'openai',
    daysAgo: 1,
    count: 10,
    fields: { tokens_prompt: 1, tokens_completion: 0, tokens_cache_read: 1 },
    costEach: '0.00000008',
    source: BUNDLED,
  },
  {
    // 2,000 × 3 + 10,000 × 0.30 + 1,500 × 3.75 + 800 × 15 = 26,625 / 1e6
    org: 'org_a',
    model: 'claude-sonnet-4-5',
    provider: 'anthropic',
    daysAgo: 1,
    count: 20,
    fields: {
      tokens_prompt: 2_000,
      tokens_completion: 800,
      tokens_cache_read: 10_000,
      tokens_cache_write: 1_500,
    },
    costEach: '0.026625',
    source: BUNDLED,
  },
  {
    // 2,000 × 0.30 + 8,000 × 0.03 + (1,000 + 3,000 thinking) × 2.50 = 10,840 / 1e6
    org: 'org_b',
    model: 'gemini-2.5-flash',
    provider: 'google',
    daysAgo: 1,
    count: 25,
    fields: {
      tokens_prompt: 10_000,
      tokens_completion: 1_000,
      tokens_cache_read: 8_000,
      tokens_reasoning: 3_000,
    },
    costEach: '0.01084',
    source: BUNDLED,
  },
  {
    // OpenRouter, no cache price: 5,000 × 3 + 400 × 15 = 21,000 / 1e6
    org: 'org_b',
    model: 'anthropic/claude-3.5-sonnet',
    provider: 'openrouter',
    daysAgo: 1,
    count: 15,
    fields: { tokens_prompt: 5_000, tokens_completion: 400, tokens_cache_read: 3_000 },
    costEach: '0.021',
    source: BUNDLED,
  },
  {
    org: 'org_c',
    model: 'acme-9',
    provider: 'acme',
    daysAgo: 1,
    count: 5,
    fields: { tokens_prompt: 700, tokens_completion: 70 },
    costEach: '0',
    source: 'unknown',
  },
  {
    // The event's own cost is kept.
    org: 'org_c',
    model: 'gpt-4o',
    provider: 'openai',
    daysAgo: 1,
    count: 3,
    fields: { tokens_prompt: 10_000, tokens_completion: 500, cost_usd: '0.12345678' },
    costEach: '0.12345678',
    source: 'provided',
  },
  {
    // Overrides file, before its price change: 1,000 × 1.50 + 100 × 6 = 2,100 / 1e6
    org: 'org_d',
    model: 'hanzo-e2e-model',
    provider: 'hanzo',
    daysAgo: 3,
    count: 4,
    fields: { tokens_prompt: 1_000, tokens_completion: 100 },
    costEach: '0.0021',
    source: 'override',
  },
  {
    // … and after it: 1,000 × 1 + 100 × 4 = 1,400 / 1e6
    org: 'org_d',
    model: 'hanzo-e2e-model',
    provider: 'hanzo',
    daysAgo: 1,
    count: 5,
    fields: { tokens_prompt: 1_000, tokens_completion: 100 },
    costEach: '0.0014',
    source: 'override',
  },
];

function times(decimal: string, n: number): string {
  return formatScaled(toScaled(decimal, 8)! * BigInt(n), 8);
}

/** Decimal text as ClickHouse prints it, in canonical form (no trailing zeros). */
function canonical(text: string): string {
  return formatScaled(toScaled(text, 8)!, 8);
}

describe('enrichment end to end: Kafka → worker → ClickHouse', () => {
  const kafka = testKafka();
  const admin = testClickHouse();
  const database = uniqueName('enrich_e2e');
  after(async () => {
    await admin.command({ query: `DROP DATABASE IF EXISTS ${database} SYNC` });
    await admin.close();
  });

  test('rows land with geo, device and exact LLM costs; token_usage_daily sums match', async () => {
    await migrateUp(admin, { database });
    const topic = uniqueName('enrich');
    const dlq = `${topic}_dlq`;
    const group = uniqueName('enrich_group');
    await createTopics(kafka, [
      { topic, partitions: 3 },
      { topic: dlq, partitions: 1 },
    ]);
    const overrides = join(mkdtempSync(join(tmpdir(), 'hanzo-e2e-')), 'prices.json');
    writeFileSync(
      overrides,
      JSON.stringify([
        {
          id: 'hanzo',
          models: [
            {
              id: 'hanzo-e2e-model',
              prices: [
                { prices: { input_mtok: '1.50', output_mtok: '6' } },
                {
                  constraint: { type: 'start_date', start_date: PRICE_CHANGE },
                  prices: { input_mtok: '1', output_mtok: '4' },
                },
              ],
            },
          ],
        },
      ]),
    );

    const messages: Message[] = [];
    const pageviewUuids = new Map<string, PageviewKind>();
    for (const kind of PAGEVIEWS) {
      for (let i = 0; i < kind.count; i++) {
        const uuid = randomUUID();
        pageviewUuids.set(uuid, kind);
        messages.push({
          key: `u${i}`,
          value: JSON.stringify({
            uuid,
            team_id: 5,
            event: '$pageview',
            distinct_id: `u${i}`,
            timestamp: noon(1) + i,
            properties: {
              $ip: kind.ip,
              $user_agent: kind.ua,
              $current_url: `https://hanzo.ai/p/${i}`,
            },
          }),
        });
      }
    }
    for (const kind of LLM) {
      for (let i = 0; i < kind.count; i++) {
        messages.push({
          key: kind.org,
          value: JSON.stringify({
            uuid: randomUUID(),
            team_id: 5,
            event: '$llm_request',
            distinct_id: `svc-${kind.org}`,
            timestamp: noon(kind.daysAgo) + i,
            organization_id: kind.org,
            model: kind.model,
            provider: kind.provider,
            ...kind.fields,
            properties: {
              $ip: '81.2.69.160',
              $ai_input: [{ role: 'user', content: 'a prompt that must never be stored' }],
              $ai_output_choices: [
                { role: 'assistant', content: 'a completion that must never be stored' },
              ],
              latency_ms: 420,
            },
          }),
        });
      }
    }
    await produce(kafka, topic, messages);

    const worker = startWorkerProcess(`enrich-${database}`, {
      KAFKA_TOPICS: topic,
      KAFKA_DLQ_TOPIC: dlq,
      KAFKA_GROUP_ID: group,
      CLICKHOUSE_DATABASE: database,
      CLICKHOUSE_TABLE: 'events',
      ENRICH_PRICING_OVERRIDES_FILE: overrides,
      METRICS_PORT: '0',
    });
    try {
      await waitForCommittedToLogEnd(kafka, group, topic, 120_000);
    } finally {
      worker.kill('SIGTERM');
      assert.equal(await worker.exited, 0, worker.log().slice(-3000));
    }
    const events = `${database}.events`;
    await waitFor(
      async () => {
        const [row] = await queryRows<{ n: string }>(admin, `SELECT count() AS n FROM ${events}`);
        return Number(row?.n) === messages.length;
      },
      { timeoutMs: 30_000, what: 'every event in ClickHouse' },
    );

    // Geo and device columns, by kind of page view.
    const devices = await queryRows<Record<string, string>>(
      admin,
      `SELECT toString(uuid) AS uuid, country_code, region, city, browser, os, device_type
       FROM ${events} WHERE event = '$pageview'`,
    );
    assert.equal(devices.length, pageviewUuids.size);
    for (const row of devices) {
      const kind = pageviewUuids.get(row['uuid'] ?? '');
      assert.ok(kind !== undefined);
      assert.deepEqual(
        [
          row['country_code']?.replace(/\0/g, ''),
          row['region'],
          row['city'],
          row['browser'],
          row['os'],
          row['device_type'],
        ],
        kind.expected,
        kind.ip,
      );
    }

    // HIP-47: no prompt, no completion, no raw IP in what was stored.
    const [leaks] = await queryRows<{ n: string }>(
      admin,
      `SELECT countIf(properties LIKE '%never be stored%' OR properties LIKE '%$ai_input%'
                      OR properties LIKE '%81.2.69.160%' OR JSONHas(properties, '$ip')) AS n
       FROM ${events}`,
    );
    assert.equal(Number(leaks?.n), 0);
    const [kept] = await queryRows<{ latency: string }>(
      admin,
      `SELECT toString(any(JSONExtractInt(properties, 'latency_ms'))) AS latency FROM ${events} WHERE event = '$llm_request'`,
    );
    assert.equal(kept?.latency, '420');

    // Exact cost sums per organization, model and provider in `events`…
    const expected = new Map<
      string,
      { cost: bigint; count: number; prompt: number; completion: number; source: string }
    >();
    const expectedDaily = new Map<
      string,
      { cost: bigint; count: number; prompt: number; completion: number }
    >();
    for (const kind of LLM) {
      const each = toScaled(kind.costEach, 8)!;
      const prompt = Number(kind.fields['tokens_prompt'] ?? 0);
      const completion = Number(kind.fields['tokens_completion'] ?? 0);
      const key = `${kind.org}|${kind.model}|${kind.provider}`;
      const e = expected.get(key) ?? {
        cost: 0n,
        count: 0,
        prompt: 0,
        completion: 0,
        source: kind.source,
      };
      expected.set(key, {
        cost: e.cost + each * BigInt(kind.count),
        count: e.count + kind.count,
        prompt: e.prompt + prompt * kind.count,
        completion: e.completion + completion * kind.count,
        source: kind.source,
      });
      const dayKey = `${dayText(noon(kind.daysAgo))}|${key}`;
      const d = expectedDaily.get(dayKey) ?? { cost: 0n, count: 0, prompt: 0, completion: 0 };
      expectedDaily.set(dayKey, {
        cost: d.cost + each * BigInt(kind.count),
        count: d.count + kind.count,
        prompt: d.prompt + prompt * kind.count,
        completion: d.completion + completion * kind.count,
      });
    }
    // The arithmetic of the sums, spelled out for three of them:
    assert.equal(times('0.025', 40), '1'); // gpt-4o, org_a
    assert.equal(times('0.0001545', 30), '0.004635'); // gpt-4o-mini, org_a
    assert.equal(times('0.00000008', 10), '0.0000008'); // rounded per event, then summed

    const costs = await queryRows<Record<string, string>>(
      admin,
      `SELECT organization_id, model, provider, toString(sum(cost_usd)) AS cost, count() AS n,
              toString(sum(tokens_prompt)) AS prompt, toString(sum(tokens_completion)) AS completion,
              arrayStringConcat(groupUniqArray(cost_source), ',') AS sources
       FROM ${events} WHERE event = '$llm_request'
       GROUP BY organization_id, model, provider`,
    );
    assert.equal(costs.length, expected.size);
    for (const row of costs) {
      const e = expected.get(`${row['organization_id']}|${row['model']}|${row['provider']}`);
      assert.ok(e !== undefined, JSON.stringify(row));
      assert.deepEqual(
        [
          canonical(row['cost'] ?? ''),
          Number(row['n']),
          Number(row['prompt']),
          Number(row['completion']),
          row['sources'],
        ],
        [formatScaled(e.cost, 8), e.count, e.prompt, e.completion, e.source],
        JSON.stringify(row),
      );
    }

    // … and in the token_usage_daily rollup, per day (the override's price change splits org_d).
    const daily = await queryRows<Record<string, string>>(
      admin,
      `SELECT toString(day) AS day, organization_id, model, provider,
              toString(sum(total_cost_usd)) AS cost, toString(sum(request_count)) AS n,
              toString(sum(total_prompt_tokens)) AS prompt, toString(sum(total_completion_tokens)) AS completion
       FROM ${database}.token_usage_daily
       GROUP BY day, organization_id, model, provider`,
    );
    assert.equal(daily.length, expectedDaily.size);
    for (const row of daily) {
      const key = `${row['day']}|${row['organization_id']}|${row['model']}|${row['provider']}`;
      const e = expectedDaily.get(key);
      assert.ok(e !== undefined, key);
      assert.deepEqual(
        [
          canonical(row['cost'] ?? ''),
          Number(row['n']),
          Number(row['prompt']),
          Number(row['completion']),
        ],
        [formatScaled(e.cost, 8), e.count, e.prompt, e.completion],
        key,
      );
    }
    const orgD = daily
      .filter((r) => r['organization_id'] === 'org_d')
      .map((r) => canonical(r['cost'] ?? ''))
      .sort();
    assert.deepEqual(orgD, ['0.007', '0.0084']); // 5 × 0.0014 after, 4 × 0.0021 before
  });
});
