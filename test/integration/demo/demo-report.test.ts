/**
 * The demo's path on the real stack — `hanzo-ingest migrate up`, a worker, the demo's event
 * stream, the wait for committed offsets, the report — in a database of its own. The figures
 * the report prints must be what ClickHouse and the dead-letter topic hold, computed here
 * independently from `events` and from the DLQ records.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createClient } from '@clickhouse/client';
import { Partitioners } from 'kafkajs';
import { formatCell } from '../../demo/format-table.ts';
import { DemoEventStream } from '../../demo/demo-events.ts';
import { produceDemoEvents } from '../../demo/produce-demo-events.ts';
import { heading, REPORT_SECTIONS } from '../../demo/render-report.ts';
import { buildReport } from '../../demo/report.ts';
import { waitUntilConsumed } from '../../demo/wait-until-consumed.ts';
import { queryRows } from '../../support/clickhouse.ts';
import { createTopics, headerText, readTopic, testKafka } from '../../support/kafka.ts';
import { runCli } from '../../support/run-cli.ts';
import { testStack, uniqueName } from '../../support/stack-env.ts';
import { startWorkerProcess } from '../../support/worker-process.ts';

const EVENTS = 3_000;
const MALFORMED_EVERY = 60;

test('the demo report prints what the HIP-47 tables and the DLQ hold', async () => {
  const stack = testStack();
  const kafka = testKafka();
  const database = uniqueName('demo');
  const topic = uniqueName('demo_events');
  const dlq = `${topic}_dlq`;
  const group = uniqueName('demo_group');
  const clickhouse = createClient({ ...stack.clickhouse, database });
  after(() => clickhouse.close());
  await createTopics(kafka, [
    { topic, partitions: 4 },
    { topic: dlq, partitions: 2 },
  ]);

  const migrate = await runCli(['migrate', 'up'], {
    KAFKA_BROKERS: stack.brokers.join(','),
    CLICKHOUSE_URL: stack.clickhouse.url,
    CLICKHOUSE_USER: stack.clickhouse.username,
    CLICKHOUSE_PASSWORD: stack.clickhouse.password,
    CLICKHOUSE_DATABASE: database,
    LOG_LEVEL: 'warn',
  });
  assert.equal(migrate.code, 0, migrate.stderr);
  assert.match(migrate.stdout, /applied 0001_events, .*0004_token_usage_daily/);

  const worker = startWorkerProcess(`demo-${database}`, {
    KAFKA_TOPICS: topic,
    KAFKA_DLQ_TOPIC: dlq,
    KAFKA_GROUP_ID: group,
    CLICKHOUSE_DATABASE: database,
    CLICKHOUSE_MIGRATE_ON_START: 'false',
  });
  const stream = new DemoEventStream({
    seed: 11,
    malformedEvery: MALFORMED_EVERY,
    spanMs: 3 * 3_600_000,
  });
  try {
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    try {
      await produceDemoEvents(producer, stream, { topic, count: EVENTS, rate: 50_000 });
    } finally {
      await producer.disconnect();
    }
    assert.equal(await waitUntilConsumed(kafka, group, topic, 120_000), 0);
  } finally {
    worker.kill('SIGTERM');
    assert.equal(await worker.exited, 0);
  }

  const report = await buildReport(clickhouse, kafka, dlq, stream.tally);
  const { text } = report;
  assert.equal(report.ok, true, text);
  assert.deepEqual(
    text.split('\n').filter((l) => l.startsWith('== ')),
    REPORT_SECTIONS.map(heading),
  );
  const line = (...cells: (string | number)[]): RegExp =>
    new RegExp(`^ {2}${cells.map((c) => escape(formatCell(c))).join('\\s+')}(\\s|$)`, 'm');

  // Exactly once, from `events` itself.
  const good = EVENTS - EVENTS / MALFORMED_EVERY;
  const [counts] = await queryRows<{ rows: string; unique: string }>(
    clickhouse,
    'SELECT count() AS rows, uniqExact(uuid) AS unique FROM events',
  );
  assert.deepEqual([Number(counts?.rows), Number(counts?.unique)], [good, good]);
  assert.match(text, line('events: unique uuids', good, '= good events produced'));

  // LLM cost by model: token_usage_daily's figures are the events' own.
  const llm = await queryRows<{ model: string; provider: string; n: string; cost: string }>(
    clickhouse,
    `SELECT model, provider, count() AS n, toString(sum(cost_usd)) AS cost FROM events
      WHERE event = '$llm_request' GROUP BY model, provider`,
  );
  assert.ok(llm.length >= 5, `${llm.length} models`);
  for (const r of llm) {
    assert.ok(Number(r.cost) > 0, `${r.model} priced`);
    assert.match(
      text,
      new RegExp(
        `^ {2}${escape(r.model)}\\s+${escape(r.provider)}\\s+${escape(formatCell(Number(r.n)))}\\s.*\\$${escape(Number(r.cost).toFixed(4))}$`,
        'm',
      ),
    );
  }

  // Events per hour: events_hourly's counts are the events' own.
  const hours = await queryRows<{ hour: string; n: string }>(
    clickhouse,
    `SELECT formatDateTime(toStartOfHour(timestamp), '%Y-%m-%d %H:00') AS hour, count() AS n
       FROM events GROUP BY hour ORDER BY hour`,
  );
  assert.ok(hours.length >= 3);
  for (const h of hours) assert.match(text, line(h.hour, Number(h.n)));

  // Sessions: sessions_merged holds one row per (team, session, user) of `events`.
  const [sessions] = await queryRows<{ n: string; multi: string }>(
    clickhouse,
    `SELECT count() AS n, countIf(c > 1) AS multi FROM
       (SELECT count() AS c FROM events WHERE session_id != '' GROUP BY team_id, session_id, distinct_id)`,
  );
  const sessionRows = [
    ...text.matchAll(/^ {2}(desktop|mobile|tablet|bot)\s+([\d,]+)\s+([\d,]+)\s+[\d.]+\s+\d+$/gm),
  ];
  const total = (i: number): number =>
    sessionRows.reduce((s, m) => s + Number((m[i] ?? '').replaceAll(',', '')), 0);
  assert.deepEqual([total(2), total(3)], [Number(sessions?.n), Number(sessions?.multi)]);

  // Countries: the top one, and the count of all.
  const [top] = await queryRows<{ country: string; n: string }>(
    clickhouse,
    `SELECT toString(country_code) AS country, count() AS n FROM events WHERE country_code != '\\0\\0'
      GROUP BY country ORDER BY n DESC, country LIMIT 1`,
  );
  assert.match(text, line(top?.country ?? '?', Number(top?.n)));

  // Dead letters by reason: what the DLQ records' headers say, each source once.
  const letters = await readTopic(kafka, dlq);
  const byReason = new Map<string, Set<string>>();
  for (const r of letters) {
    const reason = headerText(r.headers, 'hanzo.dlq.error_class') ?? '';
    const source = headerText(r.headers, 'hanzo.dlq.source_offset') ?? '';
    const partition = headerText(r.headers, 'hanzo.dlq.source_partition') ?? '';
    byReason.set(reason, (byReason.get(reason) ?? new Set()).add(`${partition}:${source}`));
  }
  assert.equal(byReason.size, 5);
  for (const [reason, sources] of byReason) {
    const produced = stream.tally.malformedByReason.get(reason as never);
    assert.equal(sources.size, produced, reason);
    assert.match(text, line(reason, 'decode', sources.size, sources.size));
  }
  assert.match(text, /^ {2}50 dead letters for 50 malformed messages produced: each once/m);
  assert.match(text, line('rows still holding any of them', 0));
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
