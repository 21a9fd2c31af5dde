import type { ClickHouseClient } from '@clickhouse/client';
import { schemaTableName } from '../../../src/schema/render-schema.ts';
import { queryRows } from '../../support/clickhouse.ts';

/** One rollup total compared with the same aggregate computed from the events themselves. */
export interface RollupCheck {
  readonly rollup: string;
  readonly measure: string;
  readonly total: number;
  /** The aggregate over the rows of `events`. */
  readonly fromEvents: number;
  /** The aggregate over distinct events (one row per uuid). */
  readonly fromUniqueEvents: number;
  /** total − fromUniqueEvents: what the rollup counts twice (0 when nothing is). */
  readonly duplicated: number;
  readonly ok: boolean;
  readonly detail: string;
}

interface RollupMeasure {
  readonly rollup: 'sessions' | 'events_hourly' | 'token_usage_daily';
  readonly measure: string;
  /** Aggregate over the rollup table's rows. */
  readonly total: string;
  /** The same aggregate over events (`e` is the events relation). */
  readonly fromEvents: string;
}

/** HIP-47's rollups (schemas/migrations 0002–0004) and what each must add up to. */
const MEASURES: readonly RollupMeasure[] = [
  {
    rollup: 'sessions',
    measure: 'event_count',
    total: 'sum(event_count)',
    fromEvents: "countIf(session_id != '')",
  },
  {
    rollup: 'sessions',
    measure: 'pageview_count',
    total: 'sum(pageview_count)',
    fromEvents: "countIf(session_id != '' AND event = '$pageview')",
  },
  { rollup: 'events_hourly', measure: 'count', total: 'sum(count)', fromEvents: 'count()' },
  {
    rollup: 'token_usage_daily',
    measure: 'request_count',
    total: 'sum(request_count)',
    fromEvents: "countIf(event = '$llm_request')",
  },
  {
    rollup: 'token_usage_daily',
    measure: 'total_prompt_tokens',
    total: 'sum(total_prompt_tokens)',
    fromEvents: "sumIf(tokens_prompt, event = '$llm_request')",
  },
  {
    rollup: 'token_usage_daily',
    measure: 'total_completion_tokens',
    total: 'sum(total_completion_tokens)',
    fromEvents: "sumIf(tokens_completion, event = '$llm_request')",
  },
];

/**
 * The rollups of `eventsTable` (created with it by the migrations) must hold exactly the
 * aggregates of the distinct events: a retried insert that the events table dropped but a
 * materialized view counted again shows up here, and so does a duplicated event.
 */
export async function checkRollups(
  clickhouse: ClickHouseClient,
  eventsTable: string,
): Promise<RollupCheck[]> {
  const target = { database: 'default', eventsTable };
  const events = schemaTableName(target, 'events').read;
  const checks: RollupCheck[] = [];
  for (const m of MEASURES) {
    const table = schemaTableName(target, m.rollup).read;
    const [row] = await queryRows<{ total: string; all: string; unique: string }>(
      clickhouse,
      `SELECT
         (SELECT ${m.total} FROM ${table}) AS total,
         (SELECT ${m.fromEvents} FROM ${events}) AS all,
         (SELECT ${m.fromEvents} FROM (SELECT * FROM ${events} LIMIT 1 BY uuid)) AS unique`,
    );
    const total = Number(row?.total ?? NaN);
    const fromEvents = Number(row?.all ?? NaN);
    const fromUniqueEvents = Number(row?.unique ?? NaN);
    const ok = total === fromEvents && total === fromUniqueEvents;
    checks.push({
      rollup: m.rollup,
      measure: m.measure,
      total,
      fromEvents,
      fromUniqueEvents,
      duplicated: total - fromUniqueEvents,
      ok,
      detail: `${m.measure}: ${total} in the rollup, ${fromEvents} from events, ${fromUniqueEvents} from distinct events`,
    });
  }
  return checks;
}
