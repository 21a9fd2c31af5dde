import type { ClickHouseFigures } from './collect-report.ts';
import type { DeadLetterCensus } from './count-dead-letters.ts';
import { DEMO_CONTENT_KEYS, type ProducedTally } from './demo-events.ts';
import { formatCell, formatTable } from './format-table.ts';

/** The report's sections, in order; each names the HIP-47 table or view it reads. */
export const REPORT_SECTIONS = [
  'Exactly once (events and every rollup)',
  'Events by type (events)',
  'Events by country (events: geo from the client IP)',
  'Events by device, browser and OS (events: from the user agent)',
  'LLM cost by model (token_usage_daily)',
  'Sessions by device (sessions_merged)',
  'Events per hour (events_hourly)',
  'Privacy (events.properties)',
  'Dead letters by reason (their headers in the DLQ topic)',
] as const;

export const heading = (title: string): string => `== ${title} ==`;

export interface ReportInput {
  readonly produced: ProducedTally;
  readonly clickhouse: ClickHouseFigures;
  readonly deadLetters: DeadLetterCensus;
  readonly dlqTopic: string;
}

export interface RenderedReport {
  readonly text: string;
  /** Every check held: each good event once in `events` and the rollups, each malformed one dead-lettered once, nothing private stored. */
  readonly ok: boolean;
}

const [EXACTLY_ONCE, BY_TYPE, BY_COUNTRY, BY_DEVICE, LLM_COST, SESSIONS, HOURLY, PRIVACY, DLQ] =
  REPORT_SECTIONS;
const mark = (holds: boolean): string => (holds ? '=' : '≠ MISMATCH:');

export function renderReport(input: ReportInput): RenderedReport {
  const { produced, clickhouse: ch, deadLetters: dlq } = input;
  const t = ch.totals;
  const malformed = [...produced.malformedByReason.values()].reduce((a, b) => a + b, 0);
  const checks = {
    rows: t.rows === produced.good && t.uniqueUuids === produced.good,
    hourly: t.hourlyCount === t.rows,
    tokens: t.tokenUsageRequests === t.llmRows,
    sessions: t.sessionEvents === t.sessionRows,
    deadLetters: dlq.unique === malformed,
    privacy: ch.privacy.rowsWithContent === 0 && ch.privacy.rowsWithIp === 0,
  };
  const ok = Object.values(checks).every(Boolean);
  const out: string[] = [];
  const section = (title: string, lines: readonly string[]): void => {
    out.push('', heading(title), ...lines);
  };

  section(EXACTLY_ONCE, [
    ...formatTable(
      ['counted in', 'events', ''],
      [
        ['good events produced', produced.good, ''],
        ['events: rows', t.rows, ''],
        ['events: unique uuids', t.uniqueUuids, `${mark(checks.rows)} good events produced`],
        ['events_hourly: sum(count)', t.hourlyCount, `${mark(checks.hourly)} rows`],
        [
          'token_usage_daily: requests',
          t.tokenUsageRequests,
          `${mark(checks.tokens)} $llm_request rows (${formatCell(t.llmRows)})`,
        ],
        [
          'sessions_merged: events',
          t.sessionEvents,
          `${mark(checks.sessions)} rows with a session id (${formatCell(t.sessionRows)})`,
        ],
      ],
    ),
    checks.rows && checks.hourly && checks.tokens && checks.sessions
      ? '  every good event landed exactly once, in events and in every rollup'
      : '  MISMATCH: see the lines marked above',
  ]);

  section(
    BY_TYPE,
    formatTable(
      ['event', 'events', 'users'],
      ch.byEvent.map((r) => [r.event, r.events, r.users]),
    ),
  );

  section(BY_COUNTRY, [
    ...formatTable(
      ['country', 'events', 'cities'],
      ch.byCountry.map((r) => [r.country, r.events, r.cities]),
    ),
    `  ${formatCell(ch.countries)} countries in all; ${formatCell(ch.unresolvedCountry)} events have none (a private address such as 10.x, or one the database does not list)`,
  ]);

  section(BY_DEVICE, [
    ...formatTable(
      ['device', 'events'],
      ch.byDevice.map((r) => [r.device || '(none)', r.events]),
    ),
    '',
    ...formatTable(
      ['browser', 'os', 'events'],
      ch.byBrowserOs.map((r) => [r.browser || '(none)', r.os || '(none)', r.events]),
    ),
    '  bot: crawlers and scripted clients (Googlebot, python-httpx), told apart by isbot',
  ]);

  const totalCost = ch.llmCost.reduce((sum, r) => sum + Number(r.costUsd), 0);
  section(LLM_COST, [
    ...formatTable(
      ['model', 'provider', 'requests', 'prompt tokens', 'completion tokens', 'cost_usd'],
      [
        ...ch.llmCost.map((r) => [
          r.model,
          r.provider,
          r.requests,
          r.promptTokens,
          r.completionTokens,
          usd(Number(r.costUsd)),
        ]),
        [
          'total',
          '',
          sum(ch.llmCost, 'requests'),
          sum(ch.llmCost, 'promptTokens'),
          sum(ch.llmCost, 'completionTokens'),
          usd(totalCost),
        ],
      ],
    ),
    '  cost_usd: priced at ingestion from the bundled price table (genai-prices)',
  ]);

  section(SESSIONS, [
    ...formatTable(
      ['device', 'sessions', '2+ events', 'events/session', 'avg duration s'],
      ch.sessions.map((r) => [
        r.device || '(none)',
        r.sessions,
        r.multiEvent,
        round(r.avgEvents, 1),
        Math.round(r.avgDurationS),
      ]),
    ),
  ]);

  section(HOURLY, [
    ...formatTable(
      ['hour (UTC)', 'events', 'users'],
      ch.hourly.map((r) => [r.hour, r.events, r.users]),
    ),
    '  users: uniqHLL12 states merged across teams and events (an estimate, as HIP-47 defines it)',
  ]);

  section(PRIVACY, [
    ...formatTable(
      ['', 'events'],
      [
        [
          `$llm_request events sent with prompts and completions (${DEMO_CONTENT_KEYS.join(', ')})`,
          produced.withContent,
        ],
        ['rows still holding any of them', ch.privacy.rowsWithContent],
        ['rows still holding the client IP ($ip)', ch.privacy.rowsWithIp],
      ],
    ),
  ]);

  const expected = (reason: string): number => produced.malformedByReason.get(reason as never) ?? 0;
  section(DLQ, [
    ...formatTable(
      ['reason', 'stage', 'dead letters', 'produced', 'example'],
      dlq.byReason.map((r) => [
        r.reason,
        r.stage,
        r.count,
        expected(r.reason),
        clip(r.example, 60),
      ]),
    ),
    ...deadLetterNotes(input.dlqTopic, dlq, malformed),
  ]);

  out.push('', ok ? 'all checks hold' : 'SOME CHECKS FAILED: see MISMATCH above');
  return { text: out.join('\n'), ok };
}

/** The words the dead-letter counts need. */
function deadLetterNotes(topic: string, dlq: DeadLetterCensus, malformed: number): string[] {
  const notes = [
    dlq.unique === malformed
      ? `  ${formatCell(dlq.unique)} dead letters for ${formatCell(malformed)} malformed messages produced: each once (one per source offset, read committed)`
      : `  MISMATCH: ${formatCell(dlq.unique)} dead letters for ${formatCell(malformed)} malformed messages produced`,
  ];
  const other = dlq.logEndOffsets - dlq.recordsRead;
  if (other > 0) {
    notes.push(
      `  ${topic}'s log end offsets add up to ${formatCell(dlq.logEndOffsets)}: the other ${formatCell(other)} offsets hold the commit markers of the transactions the dead letters were written in (and any aborted attempt); read_committed readers never see them`,
    );
  }
  const repeats = dlq.recordsRead - dlq.unique;
  if (repeats > 0) {
    notes.push(
      `  ${formatCell(dlq.recordsRead)} records were read: ${formatCell(repeats)} repeat a source offset already counted (an aborted attempt that kafkajs's read_committed filter let through; README, Guarantees) and count once`,
    );
  }
  return notes;
}

function sum<K extends string>(rows: readonly Record<K, unknown>[], key: K): number {
  return rows.reduce((total, r) => total + Number(r[key]), 0);
}

const round = (value: number, digits: number): number => Number(value.toFixed(digits));
const usd = (value: number): string => `$${value.toFixed(4)}`;
const clip = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, max - 1)}…`;
