import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ClickHouseError } from '@clickhouse/client';
import type { EventRow } from '../../../src/decode/event-row.ts';
import {
  day,
  eventRow,
  monthStart,
  plus,
  wednesdayFrom,
} from '../../fixtures/schema/known-events.ts';
import {
  hipQuery,
  insertEvents,
  migratedDatabase,
  select,
  type SchemaDatabase,
} from './schema-database.ts';

/**
 * HIP-47's four queries (test/fixtures/schema/hip47-queries) against the migrated schema on
 * a small, hand-made data set. Every expected number below was worked out by hand from the
 * events listed here; the comments say how.
 *
 * Dates are relative to today so the data stays inside the 12-month TTL:
 *   M  = the previous calendar month (funnel, retention start),
 *   M2 = the month before it, first 20 days only (billing; ≥ 36 days ago, so outside the
 *        dashboard's last 30 days).
 */
const now = new Date();
const M = monthStart(now, 1);
const M_END = monthStart(now, 0);
const M2 = monthStart(now, 2);
const W0 = wednesdayFrom(plus(M, 1));

const funnel = (distinct_id: string, steps: [string, Date][], team_id = 1): EventRow[] =>
  steps.map(([event, at]) => eventRow({ team_id, distinct_id, event, at }));

function knownEvents(): EventRow[] {
  const d = (n: number, h: number, m = 0) => plus(M, n, h, m);
  const noon = (daysAgo: number) => plus(new Date(`${day(now)}T12:00:00Z`), -daysAgo);
  const llm = (
    organization_id: string,
    model: string,
    provider: string,
    at: Date,
    tokens_prompt: number,
    tokens_completion: number,
    cost_usd: string,
    event = '$llm_request',
  ) =>
    eventRow({
      team_id: 7,
      distinct_id: 'api',
      event,
      at,
      organization_id,
      model,
      provider,
      tokens_prompt,
      tokens_completion,
      cost_usd,
    });
  const view = (distinct_id: string, at: Date, event = '$pageview') =>
    eventRow({ team_id: 1, distinct_id, event, at });
  return [
    // Funnel (signup → onboarding_complete → first_api_call within 86400 s), team 1, month M
    ...funnel('f1', [
      ['signup', d(1, 10)],
      ['onboarding_complete', d(1, 12)],
      ['first_api_call', d(1, 20)],
    ]), // 3
    ...funnel('f2', [
      ['signup', d(2, 10)],
      ['onboarding_complete', d(2, 11)],
      ['first_api_call', d(3, 11)],
    ]), // 2: call 25 h after signup
    ...funnel('f3', [['signup', d(3, 9)]]), // 1
    ...funnel('f4', [
      ['onboarding_complete', d(4, 9)],
      ['first_api_call', d(4, 10)],
    ]), // 0: no signup
    ...funnel('f5', [
      ['signup', d(5, 10)],
      ['first_api_call', d(5, 11)],
      ['onboarding_complete', d(5, 12)],
    ]), // 2: call before onboarding
    ...funnel('f6', [
      ['signup', plus(M, -1, 12)],
      ['onboarding_complete', d(0, 1)],
      ['first_api_call', d(0, 2)],
    ]), // 0: signup before M
    ...funnel(
      'f7',
      [
        ['signup', d(6, 1)],
        ['onboarding_complete', d(6, 2)],
        ['first_api_call', d(6, 3)],
      ],
      2,
    ), // other team
    ...funnel('f8', [
      ['signup', plus(M_END, 0, -1)],
      ['onboarding_complete', plus(M_END, 0, 0, -30)],
      ['first_api_call', plus(M_END, 0, 0, 30)],
    ]), // 2: call after M
    // Retention: page views and screens of team 1 from M on (W0 is a Wednesday)
    view('r1', plus(W0, 0, 9)),
    view('r1', plus(W0, 0, 15)),
    view('r1', plus(W0, 7, 9), '$screen'),
    view('r1', plus(W0, 14, 9)),
    view('r2', plus(W0, 0, 10)),
    view('r2', plus(W0, 14, 10)),
    view('r3', plus(W0, 7, 11)),
    view('r3', plus(W0, 8, 11), '$screen'), // Thursday: same week as W0 + 7
    eventRow({ team_id: 1, distinct_id: 'r4', event: '$autocapture', at: plus(W0, 1, 9) }), // not a view
    eventRow({ team_id: 1, distinct_id: 'r5', event: '$pageview', at: plus(M, -3, 9) }), // before M
    // Token usage in the last 30 days (dashboard)
    llm('org_a', 'gpt-4o', 'openai', noon(1), 1000, 500, '0.0125'),
    llm('org_a', 'gpt-4o', 'openai', noon(2), 2000, 1000, '0.025'),
    llm('org_a', 'claude-sonnet-4', 'anthropic', noon(3), 300, 700, '0.0114'),
    llm('org_b', 'gpt-4o', 'openai', noon(5), 100, 100, '0.00125'),
    llm('org_a', 'gpt-4o', 'openai', noon(40), 5000, 5000, '0.5'), // older than 30 days
    llm('org_b', 'gpt-4o', 'openai', noon(2), 900, 900, '0.9', '$pageview'), // not an LLM request
    // Billing for org_123 in M2
    llm('org_123', 'gpt-4o', 'openai', plus(M2, 2, 8), 1200, 300, '0.006'),
    llm('org_123', 'gpt-4o', 'openai', plus(M2, 9, 8), 800, 200, '0.004'),
    llm('org_123', 'claude-sonnet-4', 'anthropic', plus(M2, 19, 8), 5000, 1000, '0.03'),
    llm('org_123', 'gpt-4o', 'openai', plus(M2, -2, 8), 7000, 7000, '0.07'), // month before M2
    llm('org_999', 'gpt-4o', 'openai', plus(M2, 5, 8), 4000, 4000, '0.04'), // other organization
    llm('org_123', 'gpt-4o', 'openai', plus(M2, 5, 9), 3000, 3000, '0.03', '$pageview'), // not a request
  ];
}

describe('HIP-47 queries on known data', () => {
  let db: SchemaDatabase;
  before(async () => {
    db = await migratedDatabase('hip47_queries');
    const rows = knownEvents();
    // Two inserts, as two worker batches would be: the rollups fold the partial states.
    const half = Math.floor(rows.length / 2);
    await insertEvents(db, rows.slice(0, half), 'hip47:0:0-19');
    await insertEvents(db, rows.slice(half), 'hip47:0:20-59');
  });
  after(() => db.close());

  test('funnel as HIP-47 writes it is refused: windowFunnel does not take DateTime64', async () => {
    await assert.rejects(
      select(db.client, hipQuery('funnel'), { from: day(M), to: day(M_END) }),
      (err: unknown) => {
        assert.ok(err instanceof ClickHouseError);
        assert.equal(err.type, 'ILLEGAL_TYPE_OF_ARGUMENT');
        assert.match(
          err.message,
          /DateTime64\(3, 'UTC'\) of first argument of aggregate function windowFunnel/,
        );
        return true;
      },
    );
  });

  test('funnel (windowFunnel on epoch milliseconds): users per furthest step reached', async () => {
    const rows = await select<{ level: number; users: string }>(
      db.client,
      hipQuery('funnel-milliseconds'),
      { from: day(M), to: day(M_END) },
    );
    // 3: f1 · 2: f2 (call too late), f5 (out of order), f8 (call after M) · 1: f3 ·
    // 0: f4, f6, and r1–r4 (team 1, active in M, no funnel step)
    assert.deepEqual(
      rows.map((r) => [Number(r.level), Number(r.users)]),
      [
        [3, 1],
        [2, 3],
        [1, 1],
        [0, 6],
      ],
    );
  });

  test('retention as HIP-47 writes it: one row per active day, period always 0', async () => {
    const rows = await select<{ cohort_date: string; period: number; retained_users: string }>(
      db.client,
      hipQuery('retention'),
      { from: day(M) },
    );
    // grouped by (user, day), so min(timestamp) is that day: W0 r1 r2 · W0+7 r1 r3 · W0+8 r3 · W0+14 r1 r2
    assert.deepEqual(
      rows.map((r) => [r.cohort_date, Number(r.period), Number(r.retained_users)]),
      [
        [day(W0), 0, 2],
        [day(plus(W0, 7)), 0, 2],
        [day(plus(W0, 8)), 0, 1],
        [day(plus(W0, 14)), 0, 2],
      ],
    );
  });

  test('retention by first-seen cohort and weeks since (what HIP-47’s query means)', async () => {
    const rows = await select<{ cohort_date: string; period: number; retained_users: string }>(
      db.client,
      hipQuery('retention-by-first-seen'),
      { from: day(M) },
    );
    // cohort W0 = {r1, r2}: week 0 both, week 1 r1, week 2 both · cohort W0+7 = {r3}: week 0
    assert.deepEqual(
      rows.map((r) => [r.cohort_date, Number(r.period), Number(r.retained_users)]),
      [
        [day(W0), 0, 2],
        [day(W0), 1, 1],
        [day(W0), 2, 2],
        [day(plus(W0, 7)), 0, 1],
      ],
    );
  });

  test('token usage dashboard (token_usage_daily, last 30 days)', async () => {
    const rows = await select<Record<string, string>>(db.client, hipQuery('token-usage-dashboard'));
    // org_a/gpt-4o: 1000+2000, 500+1000, 0.0125+0.025 · org_a/claude: 300, 700, 0.0114 · org_b/gpt-4o: 100, 100, 0.00125
    assert.deepEqual(
      rows.map((r) => [
        r['organization_id'],
        r['model'],
        Number(r['prompt_tokens']),
        Number(r['completion_tokens']),
        String(r['total_cost']),
      ]),
      [
        ['org_a', 'gpt-4o', 3000, 1500, '0.0375'],
        ['org_a', 'claude-sonnet-4', 300, 700, '0.0114'],
        ['org_b', 'gpt-4o', 100, 100, '0.00125'],
      ],
    );
  });

  test('monthly billing, from events (HIP-47) and from token_usage_daily: the same invoice', async () => {
    const params = { from: day(M2), to: day(M) };
    // claude: 5000+1000 tokens, 0.03, 1 call · gpt-4o: 1200+300+800+200, 0.006+0.004, 2 calls
    const expected = [
      ['org_123', 'claude-sonnet-4', 6000, '0.03', 1],
      ['org_123', 'gpt-4o', 2500, '0.01', 2],
    ];
    for (const query of ['monthly-billing', 'monthly-billing-from-rollup']) {
      const rows = await select<Record<string, string>>(db.client, hipQuery(query), params);
      assert.deepEqual(
        rows.map((r) => [
          r['organization_id'],
          r['model'],
          Number(r['total_tokens']),
          String(r['total_cost']),
          Number(r['api_calls']),
        ]),
        expected,
        query,
      );
    }
  });

  test('sessions: one merged row per session with HIP-47’s fields', async () => {
    // No event above has a session id: sessions only come from events that have one.
    const [none] = await select<{ n: string }>(
      db.client,
      'SELECT count() AS n FROM sessions_merged',
    );
    assert.equal(Number(none?.n), 0);
    const at = plus(W0, 2, 10);
    const session = (minute: number, fields: Partial<EventRow>) =>
      eventRow({
        team_id: 3,
        distinct_id: 'u',
        session_id: 'sess',
        event: '$pageview',
        at: plus(at, 0, 0, minute),
        ...fields,
      });
    await insertEvents(
      db,
      [
        session(5, { url: '/pricing', browser: 'Firefox' }),
        session(0, {
          url: '/',
          referrer: 'https://google.com',
          utm_source: 'ads',
          browser: 'Chrome',
          os: 'Mac OS',
          device_type: 'desktop',
          country_code: 'DE',
        }),
      ],
      'hip47:sess:a',
    );
    await insertEvents(
      db,
      [
        session(12, { url: '/signup', event: 'signup', browser: 'Safari' }),
        session(20, { url: '/done', browser: 'Safari' }),
      ],
      'hip47:sess:b',
    );
    const rows = await select<Record<string, string | number>>(
      db.client,
      'SELECT * EXCEPT (session_start, session_end), toString(session_start) AS start, toString(session_end) AS end FROM sessions_merged WHERE team_id = 3',
    );
    // 64-bit integers come as strings or numbers depending on the server's JSON settings
    assert.deepEqual(
      rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, String(v)]))),
      [
        {
          team_id: '3',
          session_id: 'sess',
          distinct_id: 'u',
          duration_seconds: String(20 * 60),
          event_count: '4',
          pageview_count: '3',
          entry_url: '/',
          exit_url: '/done',
          initial_referrer: 'https://google.com',
          initial_utm_source: 'ads',
          initial_utm_medium: '',
          initial_utm_campaign: '',
          browser: 'Chrome',
          os: 'Mac OS',
          device_type: 'desktop',
          country_code: 'DE',
          start: `${day(at)} 10:00:00.000`,
          end: `${day(at)} 10:20:00.000`,
        },
      ],
    );
  });
});
