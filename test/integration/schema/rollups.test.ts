import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { EventRow } from '../../../src/decode/event-row.ts';
import { insertSettings } from '../../../src/sink/insert-rows.ts';
import { monthStart, plus, syntheticEvents } from '../../fixtures/schema/known-events.ts';
import { insertEvents, migratedDatabase, select, type SchemaDatabase } from './schema-database.ts';

/**
 * The rollups are fed by materialized views, one insert block at a time. Whatever the
 * blocks, they must say exactly what the same aggregation over `events` says — before
 * background merges and after them — and a retried block (same insert_deduplication_token,
 * as the worker sends when it re-forms a range) must not be counted twice anywhere.
 */
const start = plus(monthStart(new Date(), 1), 3);

/** HIP-47's sessions_mv aggregation, run over all of `events` at once. */
const SESSIONS_FROM_EVENTS = `
SELECT team_id, session_id, distinct_id,
    min(timestamp) AS session_start,
    max(timestamp) AS session_end,
    dateDiff('second', min(timestamp), max(timestamp)) AS duration_seconds,
    count() AS event_count,
    countIf(event = '$pageview') AS pageview_count,
    argMin(url, timestamp) AS entry_url,
    argMax(url, timestamp) AS exit_url,
    argMin(referrer, timestamp) AS initial_referrer,
    argMin(utm_source, timestamp) AS initial_utm_source,
    argMin(utm_medium, timestamp) AS initial_utm_medium,
    argMin(utm_campaign, timestamp) AS initial_utm_campaign,
    argMin(browser, timestamp) AS browser,
    argMin(os, timestamp) AS os,
    argMin(device_type, timestamp) AS device_type,
    argMin(country_code, timestamp) AS country_code
FROM events
WHERE session_id != ''
GROUP BY team_id, session_id, distinct_id
ORDER BY team_id, session_id, distinct_id`;

const SESSIONS_FROM_ROLLUP = `
SELECT * FROM sessions_merged ORDER BY team_id, session_id, distinct_id`;

/** HIP-47's events_hourly_mv aggregation over all of `events`. */
const HOURLY_FROM_EVENTS = `
SELECT team_id, event, toStartOfHour(timestamp) AS hour, count() AS count,
    uniqHLL12(distinct_id) AS unique_users
FROM events GROUP BY team_id, event, hour ORDER BY team_id, event, hour`;

const HOURLY_FROM_ROLLUP = `
SELECT team_id, event, hour, count, unique_users FROM events_hourly_merged
ORDER BY team_id, event, hour`;

const TOKENS_FROM_EVENTS = `
SELECT toDate(timestamp) AS day, team_id, organization_id, project_id, model, provider,
    sum(tokens_prompt) AS prompt, sum(tokens_completion) AS completion,
    sum(cost_usd) AS cost, count() AS requests
FROM events WHERE event = '$llm_request'
GROUP BY day, team_id, organization_id, project_id, model, provider
ORDER BY day, team_id, organization_id, project_id, model, provider`;

const TOKENS_FROM_ROLLUP = `
SELECT day, team_id, organization_id, project_id, model, provider,
    sum(total_prompt_tokens) AS prompt, sum(total_completion_tokens) AS completion,
    sum(total_cost_usd) AS cost, sum(request_count) AS requests
FROM token_usage_daily
GROUP BY day, team_id, organization_id, project_id, model, provider
ORDER BY day, team_id, organization_id, project_id, model, provider`;

/** Rows as plain strings: the same value compares equal whatever its JSON encoding. */
async function table(db: SchemaDatabase, query: string): Promise<Record<string, string>[]> {
  const rows = await select<Record<string, unknown>>(db.client, query);
  return rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, String(v)])));
}

async function count(db: SchemaDatabase, query: string): Promise<number> {
  const [row] = await select<{ n: string | number }>(db.client, query);
  return Number(row?.n);
}

async function assertRollupsMatchEvents(db: SchemaDatabase, when: string): Promise<void> {
  const pairs: [string, string, string][] = [
    ['sessions', SESSIONS_FROM_ROLLUP, SESSIONS_FROM_EVENTS],
    ['events_hourly', HOURLY_FROM_ROLLUP, HOURLY_FROM_EVENTS],
    ['token_usage_daily', TOKENS_FROM_ROLLUP, TOKENS_FROM_EVENTS],
  ];
  for (const [name, rollup, direct] of pairs) {
    const fromRollup = await table(db, rollup);
    const fromEvents = await table(db, direct);
    assert.ok(fromEvents.length > 10, `${name}: too few rows to mean anything`);
    assert.deepEqual(fromRollup, fromEvents, `${name} ${when}`);
  }
}

describe('rollups equal the same aggregates computed from events', () => {
  let db: SchemaDatabase;
  before(async () => {
    db = await migratedDatabase('rollups');
  });
  after(() => db.close());

  test('6,000 events in 6 blocks: sessions, events_hourly, token_usage_daily, before and after merges', async () => {
    const rows = syntheticEvents({ count: 6000, users: 300, teams: 3, start, seed: 47 });
    // Keep the partial states apart until the first comparison: merges must not be needed.
    for (const t of ['sessions', 'events_hourly', 'token_usage_daily']) {
      await db.admin.command({ query: `SYSTEM STOP MERGES ${db.database}.${t}` });
    }
    for (let i = 0; i < 6; i++) {
      await insertEvents(
        db,
        rows.slice(i * 1000, (i + 1) * 1000),
        `rollups:0:${i * 1000}-${i * 1000 + 999}`,
      );
    }
    const sessions = await count(db, 'SELECT count() AS n FROM sessions_merged');
    const partials = await count(db, 'SELECT count() AS n FROM sessions');
    assert.ok(
      partials > sessions,
      `sessions spread over blocks: ${partials} partial rows, ${sessions} sessions`,
    );
    await assertRollupsMatchEvents(db, 'before merges');

    for (const t of ['sessions', 'events_hourly', 'token_usage_daily']) {
      await db.admin.command({ query: `SYSTEM START MERGES ${db.database}.${t}` });
      await db.admin.command({ query: `OPTIMIZE TABLE ${db.database}.${t} FINAL` });
    }
    // Fully merged, the sessions table holds one row per session and partition (month).
    assert.equal(
      await count(db, 'SELECT count() AS n FROM sessions'),
      await count(
        db,
        'SELECT count() AS n FROM (SELECT DISTINCT team_id, session_id, distinct_id, toYYYYMM(session_start) FROM sessions)',
      ),
    );
    await assertRollupsMatchEvents(db, 'after OPTIMIZE FINAL');
  });
});

describe('a retried insert (same deduplication token) is counted once everywhere', () => {
  let db: SchemaDatabase;
  before(async () => {
    db = await migratedDatabase('retried_insert');
  });
  after(() => db.close());

  /** What each table says about the data: any double counting changes one of these. */
  async function totals(): Promise<Record<string, string>> {
    const [row] = await table(
      db,
      `SELECT
        (SELECT count() FROM events) AS events,
        (SELECT uniqExact(uuid) FROM events) AS unique_events,
        (SELECT sum(event_count) FROM sessions) AS session_events,
        (SELECT sum(pageview_count) FROM sessions) AS session_pageviews,
        (SELECT sum(count) FROM events_hourly) AS hourly_events,
        (SELECT sum(request_count) FROM token_usage_daily) AS llm_requests,
        (SELECT sum(total_prompt_tokens + total_completion_tokens) FROM token_usage_daily) AS tokens,
        (SELECT sum(total_cost_usd) FROM token_usage_daily) AS cost`,
    );
    assert.ok(row !== undefined);
    return row;
  }

  test('the worker pins deduplicate_blocks_in_dependent_materialized_views on every insert', () => {
    assert.equal(insertSettings('t').deduplicate_blocks_in_dependent_materialized_views, 1);
    assert.equal(insertSettings('t').insert_deduplication_token, 't');
  });

  test('re-inserting both batches with their tokens changes nothing; a new token would double', async () => {
    const rows = syntheticEvents({ count: 2000, users: 100, teams: 2, start, seed: 4747 });
    const batches: [EventRow[], string][] = [
      [rows.slice(0, 1000), 'hanzo_events:0:0-999'],
      [rows.slice(1000), 'hanzo_events:1:0-999'],
    ];
    for (const [batch, token] of batches) await insertEvents(db, batch, token);
    const once = await totals();
    assert.equal(once['events'], '2000');
    assert.notEqual(once['llm_requests'], '0');

    // The worker's retry after a crash: the same ranges, the same tokens, an earlier one first.
    for (const [batch, token] of batches) await insertEvents(db, batch, token);
    assert.deepEqual(await totals(), once);

    // Control: the same rows under a token never seen count again, in events and every rollup,
    // so the comparison above would have caught double counting.
    const [first] = batches;
    await insertEvents(db, first![0], 'hanzo_events:0:0-999:other');
    const twice = await totals();
    assert.equal(Number(twice['events']), 3000);
    for (const key of ['session_events', 'hourly_events', 'llm_requests', 'tokens']) {
      assert.ok(Number(twice[key]) > Number(once[key]), `${key} should have grown`);
    }
  });
});
