import type { ClickHouseClient } from '@clickhouse/client';
import { DEMO_CONTENT_KEYS } from './demo-events.ts';

/**
 * The figures of the demo's report, each read from the HIP-47 table or view that holds it
 * (`events`, `events_hourly`, `token_usage_daily`, `sessions_merged`). Tables are named
 * unqualified: the client's database is the one the migrations created them in.
 */
export interface ClickHouseFigures {
  readonly totals: {
    readonly rows: number;
    readonly uniqueUuids: number;
    readonly llmRows: number;
    readonly sessionRows: number;
    /** The same events as the rollups count them. */
    readonly hourlyCount: number;
    readonly tokenUsageRequests: number;
    readonly sessionEvents: number;
  };
  readonly byEvent: readonly { event: string; events: number; users: number }[];
  readonly byCountry: readonly { country: string; events: number; cities: number }[];
  readonly countries: number;
  readonly unresolvedCountry: number;
  readonly byDevice: readonly { device: string; events: number }[];
  readonly byBrowserOs: readonly { browser: string; os: string; events: number }[];
  readonly llmCost: readonly {
    model: string;
    provider: string;
    requests: number;
    promptTokens: number;
    completionTokens: number;
    costUsd: string;
  }[];
  readonly sessions: readonly {
    device: string;
    sessions: number;
    multiEvent: number;
    avgEvents: number;
    avgDurationS: number;
  }[];
  readonly hourly: readonly { hour: string; events: number; users: number }[];
  /** Rows whose properties still hold a client IP or prompt/completion content. */
  readonly privacy: { readonly rowsWithIp: number; readonly rowsWithContent: number };
}

const TOP = 8;
const COUNTRY = `replaceAll(toString(country_code), '\\0', '')`;

export async function collectClickHouseFigures(
  clickhouse: ClickHouseClient,
): Promise<ClickHouseFigures> {
  const rows = async (query: string): Promise<Record<string, string | number>[]> =>
    (await clickhouse.query({ query, format: 'JSONEachRow' })).json();
  const one = async (query: string): Promise<Record<string, string | number>> =>
    (await rows(query))[0] ?? {};
  const n = (value: string | number | undefined): number => Number(value ?? 0);
  const s = (value: string | number | undefined): string => String(value ?? '');

  const events = await one(
    `SELECT count() AS rows, uniqExact(uuid) AS unique_uuids,
            countIf(event = '$llm_request') AS llm_rows, countIf(session_id != '') AS session_rows,
            uniqExactIf(${COUNTRY}, ${COUNTRY} != '') AS countries,
            countIf(${COUNTRY} = '') AS unresolved,
            countIf(JSONHas(properties, '$ip')) AS with_ip,
            countIf(${DEMO_CONTENT_KEYS.map((k) => `JSONHas(properties, '${k}')`).join(' OR ')}) AS with_content
       FROM events`,
  );
  const hourlyTotal = await one('SELECT sum(count) AS n FROM events_hourly');
  const tokenTotal = await one('SELECT sum(request_count) AS n FROM token_usage_daily');
  const sessionTotal = await one('SELECT sum(event_count) AS n FROM sessions_merged');

  return {
    totals: {
      rows: n(events['rows']),
      uniqueUuids: n(events['unique_uuids']),
      llmRows: n(events['llm_rows']),
      sessionRows: n(events['session_rows']),
      hourlyCount: n(hourlyTotal['n']),
      tokenUsageRequests: n(tokenTotal['n']),
      sessionEvents: n(sessionTotal['n']),
    },
    byEvent: (
      await rows(
        `SELECT event, count() AS events, uniqExact(distinct_id) AS users FROM events
          GROUP BY event ORDER BY events DESC, event LIMIT ${TOP}`,
      )
    ).map((r) => ({ event: s(r['event']), events: n(r['events']), users: n(r['users']) })),
    byCountry: (
      await rows(
        `SELECT ${COUNTRY} AS country, count() AS events, uniqExact(city) AS cities FROM events
          WHERE country != '' GROUP BY country ORDER BY events DESC, country LIMIT ${TOP}`,
      )
    ).map((r) => ({ country: s(r['country']), events: n(r['events']), cities: n(r['cities']) })),
    countries: n(events['countries']),
    unresolvedCountry: n(events['unresolved']),
    byDevice: (
      await rows(
        `SELECT device_type AS device, count() AS events FROM events
          GROUP BY device ORDER BY events DESC, device`,
      )
    ).map((r) => ({ device: s(r['device']), events: n(r['events']) })),
    byBrowserOs: (
      await rows(
        `SELECT browser, os, count() AS events FROM events
          GROUP BY browser, os ORDER BY events DESC, browser, os LIMIT ${TOP}`,
      )
    ).map((r) => ({ browser: s(r['browser']), os: s(r['os']), events: n(r['events']) })),
    // HIP-47's dashboard query: sum() over the SummingMergeTree, merged or not.
    llmCost: (
      await rows(
        `SELECT model, provider, sum(request_count) AS requests,
                sum(total_prompt_tokens) AS prompt_tokens, sum(total_completion_tokens) AS completion_tokens,
                toString(sum(total_cost_usd)) AS cost_usd
           FROM token_usage_daily GROUP BY model, provider ORDER BY sum(total_cost_usd) DESC, model`,
      )
    ).map((r) => ({
      model: s(r['model']),
      provider: s(r['provider']),
      requests: n(r['requests']),
      promptTokens: n(r['prompt_tokens']),
      completionTokens: n(r['completion_tokens']),
      costUsd: s(r['cost_usd']),
    })),
    sessions: (
      await rows(
        `SELECT device_type AS device, count() AS sessions, countIf(event_count > 1) AS multi_event,
                avg(event_count) AS avg_events, avg(duration_seconds) AS avg_duration_s
           FROM sessions_merged GROUP BY device ORDER BY sessions DESC, device`,
      )
    ).map((r) => ({
      device: s(r['device']),
      sessions: n(r['sessions']),
      multiEvent: n(r['multi_event']),
      avgEvents: n(r['avg_events']),
      avgDurationS: n(r['avg_duration_s']),
    })),
    // uniqHLL12 states merge across teams and events: users per hour, not a sum of users.
    hourly: (
      await rows(
        `SELECT formatDateTime(hour, '%Y-%m-%d %H:00') AS hour_text, sum(count) AS events,
                uniqHLL12Merge(unique_users) AS users
           FROM events_hourly GROUP BY hour ORDER BY hour`,
      )
    ).map((r) => ({ hour: s(r['hour_text']), events: n(r['events']), users: n(r['users']) })),
    privacy: { rowsWithIp: n(events['with_ip']), rowsWithContent: n(events['with_content']) },
  };
}
