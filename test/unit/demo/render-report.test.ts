import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ClickHouseFigures } from '../../demo/collect-report.ts';
import type { DeadLetterCensus } from '../../demo/count-dead-letters.ts';
import type { ProducedTally } from '../../demo/demo-events.ts';
import { formatTable } from '../../demo/format-table.ts';
import { heading, REPORT_SECTIONS, renderReport } from '../../demo/render-report.ts';

const produced = (): ProducedTally => ({
  good: 1_000,
  withContent: 250,
  malformedByReason: new Map([
    ['invalid_json', 2],
    ['wrong_type', 2],
  ]),
});

const figures = (over: Partial<ClickHouseFigures['totals']> = {}): ClickHouseFigures => ({
  totals: {
    rows: 1_000,
    uniqueUuids: 1_000,
    llmRows: 250,
    sessionRows: 1_000,
    hourlyCount: 1_000,
    tokenUsageRequests: 250,
    sessionEvents: 1_000,
    ...over,
  },
  byEvent: [{ event: '$pageview', events: 550, users: 300 }],
  byCountry: [{ country: 'US', events: 400, cities: 50 }],
  countries: 30,
  unresolvedCountry: 20,
  byDevice: [{ device: 'desktop', events: 700 }],
  byBrowserOs: [{ browser: 'Chrome', os: 'Windows', events: 500 }],
  llmCost: [
    {
      model: 'gpt-4o',
      provider: 'openai',
      requests: 200,
      promptTokens: 1_000,
      completionTokens: 100,
      costUsd: '1.25',
    },
    {
      model: 'gpt-4o-mini',
      provider: 'openai',
      requests: 50,
      promptTokens: 500,
      completionTokens: 50,
      costUsd: '0.00015',
    },
  ],
  sessions: [
    { device: 'desktop', sessions: 400, multiEvent: 200, avgEvents: 2.5, avgDurationS: 300.4 },
  ],
  hourly: [{ hour: '2026-12-04 18:00', events: 1_000, users: 320 }],
  privacy: { rowsWithIp: 0, rowsWithContent: 0 },
});

const census = (over: Partial<DeadLetterCensus> = {}): DeadLetterCensus => ({
  unique: 4,
  recordsRead: 4,
  logEndOffsets: 4,
  byReason: [
    { reason: 'invalid_json', stage: 'decode', count: 2, example: 'invalid JSON: …' },
    { reason: 'wrong_type', stage: 'decode', count: 2, example: 'team_id must be …' },
  ],
  ...over,
});

const render = (f = figures(), d = census()) =>
  renderReport({ produced: produced(), clickhouse: f, deadLetters: d, dlqTopic: 'dlq' });

describe('the demo report', () => {
  test('prints every section, in order, and says the checks hold', () => {
    const { text, ok } = render();
    assert.equal(ok, true);
    const headings = text.split('\n').filter((line) => line.startsWith('== '));
    assert.deepEqual(headings, REPORT_SECTIONS.map(heading));
    assert.match(text, /gpt-4o\s+openai\s+200\s+1,000\s+100\s+\$1\.2500/);
    assert.match(text, /total\s+250\s+1,500\s+150\s+\$1\.2502/);
    assert.match(text, /invalid_json\s+decode\s+2\s+2/);
    assert.match(text, /4 dead letters for 4 malformed messages produced: each once/);
    assert.doesNotMatch(text, /MISMATCH/);
    assert.match(text, /all checks hold$/);
  });

  test('a count that differs is marked, and the report is not ok', () => {
    for (const totals of [
      { rows: 999 },
      { hourlyCount: 1_001 },
      { tokenUsageRequests: 249 },
      { sessionEvents: 3 },
    ]) {
      const { text, ok } = render(figures(totals));
      assert.equal(ok, false, JSON.stringify(totals));
      assert.match(text, /MISMATCH/);
    }
    const { ok: privacyOk } = render({
      ...figures(),
      privacy: { rowsWithIp: 1, rowsWithContent: 0 },
    });
    assert.equal(privacyOk, false);
    const missing = render(figures(), census({ unique: 3, recordsRead: 3, logEndOffsets: 3 }));
    assert.equal(missing.ok, false);
    assert.match(missing.text, /MISMATCH: 3 dead letters for 4 malformed messages/);
  });

  test('the dead-letter numbers that need a word get one', () => {
    const { text, ok } = render(figures(), census({ recordsRead: 5, logEndOffsets: 9 }));
    assert.equal(ok, true, 'a repeat read is counted once, not a failure');
    assert.match(
      text,
      /dlq's log end offsets add up to 9: the other 4 offsets hold the commit markers/,
    );
    assert.match(text, /5 records were read: 1 repeat a source offset already counted/);
    const plain = render().text;
    assert.doesNotMatch(plain, /log end offsets|records were read/);
  });
});

test('formatTable aligns numbers and amounts right, text left', () => {
  assert.deepEqual(
    formatTable(
      ['name', 'n', 'usd'],
      [
        ['a', 1_234, '$1.5000'],
        ['bbbb', 5, '$12.0000'],
      ],
    ),
    ['  name      n       usd', '  a     1,234   $1.5000', '  bbbb      5  $12.0000'],
  );
});
