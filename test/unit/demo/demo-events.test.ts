/**
 * The demo's stream exercises every enrichment and every malformed kind dead-letters with the
 * reason the report expects: checked through the worker's own decode and enrich code (the
 * `hanzo-ingest enrich` dry run), with the default configuration a user starts with.
 */
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { test } from 'node:test';
import { enrichLines } from '../../../src/cli/enrich-command.ts';
import { loadConfig } from '../../../src/config/load-config.ts';
import type { EventRow } from '../../../src/decode/event-row.ts';
import { DEMO_CONTENT_KEYS, DemoEventStream, MALFORMED_KINDS } from '../../demo/demo-events.ts';

const COUNT = 3_000;
const MALFORMED_EVERY = 50;

interface DryRun {
  readonly rows: EventRow[];
  readonly deadLetters: { reason: string }[];
}

async function dryRun(lines: readonly string[]): Promise<DryRun> {
  const config = loadConfig({ env: { KAFKA_BROKERS: 'localhost:9092' }, kafkaUnused: true });
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  err.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await enrichLines(config, Readable.from(lines.map((l) => `${l}\n`)), out, err);
  const parse = (text: string): Record<string, unknown>[] =>
    text
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    rows: parse(stdout) as unknown as EventRow[],
    deadLetters: parse(stderr).filter((r) => r['type'] === 'dead_letter') as { reason: string }[],
  };
}

test('the demo stream exercises every enrichment, and each malformed kind dead-letters with its reason', async () => {
  const stream = new DemoEventStream({ seed: 7, malformedEvery: MALFORMED_EVERY });
  const lines = Array.from({ length: COUNT }, () => stream.next().value);
  const { rows, deadLetters } = await dryRun(lines);
  const { tally } = stream;

  assert.equal(rows.length, tally.good);
  assert.equal(deadLetters.length, COUNT / MALFORMED_EVERY);
  const byReason = new Map<string, number>();
  for (const d of deadLetters) byReason.set(d.reason, (byReason.get(d.reason) ?? 0) + 1);
  assert.deepEqual(byReason, tally.malformedByReason);
  assert.deepEqual(
    [...byReason.keys()].sort(),
    MALFORMED_KINDS.map((k) => k.reason).sort(),
    'every malformed kind occurs',
  );

  // Geo: most client IPs resolve to a country; the rest are private addresses.
  const located = rows.filter((r) => r.country_code !== '' && r.city !== '');
  assert.ok(located.length > rows.length * 0.9, `${located.length} of ${rows.length} located`);
  assert.ok(new Set(located.map((r) => r.country_code)).size > 20);
  // User agents: browsers, mobile and tablet devices, and bots.
  const devices = new Set(rows.map((r) => r.device_type));
  for (const device of ['desktop', 'mobile', 'tablet', 'bot'])
    assert.ok(devices.has(device), device);
  assert.ok(new Set(rows.map((r) => r.browser)).size >= 5);
  // LLM cost: every model of every request has a price in the bundled table.
  const llm = rows.filter((r) => r.event === '$llm_request');
  assert.equal(llm.length, tally.withContent);
  assert.ok(llm.length > 0);
  for (const r of llm) {
    assert.match(r.cost_source, /^bundled@/, `${r.provider}/${r.model} is priced`);
    assert.ok(Number(r.cost_usd) > 0);
  }
  // Privacy: prompts, completions and the client IP never reach the row.
  for (const r of rows) {
    const properties = JSON.parse(r.properties) as Record<string, unknown>;
    for (const key of [...DEMO_CONTENT_KEYS, '$ip']) assert.equal(properties[key], undefined, key);
  }
  // Sessions: several events share a session id.
  const perSession = new Map<string, number>();
  for (const r of rows) perSession.set(r.session_id, (perSession.get(r.session_id) ?? 0) + 1);
  assert.ok([...perSession.values()].some((n) => n >= 3));
});
