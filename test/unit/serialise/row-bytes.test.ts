/**
 * Rows are encoded to UTF-8 once, in the serialise step, and the insert body is those bytes
 * back to back (sink/insert-rows.ts). What ClickHouse receives must not change: every row of
 * the benchmark corpus, through the real per-message steps with the real enrichment, gives
 * the bytes the string row builder gave, and so does the whole insert body.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { configSchema } from '../../../src/config/schema.ts';
import { MessageDecoder } from '../../../src/decode/decode-message.ts';
import { toClickHouseDateTime64, type EventRow } from '../../../src/decode/event-row.ts';
import { createEnrichment } from '../../../src/enrich/create-enrichment.ts';
import { createMessageSteps, runMessageSteps } from '../../../src/pipeline/message-steps.ts';
import { EVENT_COLUMNS } from '../../../src/serialise/event-columns.ts';
import { rowLineBytes } from '../../../src/serialise/row-line.ts';
import { insertBodyChunks } from '../../../src/sink/insert-rows.ts';
import { BenchEventGenerator, type BenchEvent } from '../../bench/corpus/bench-events.ts';

// The row builder and body assembly as they were before rows became bytes: the reference.
const PROPERTIES = EVENT_COLUMNS.indexOf('properties');
const BEFORE = EVENT_COLUMNS.slice(0, PROPERTIES);
const AFTER = EVENT_COLUMNS.slice(PROPERTIES + 1);
function referenceRowLine(row: EventRow): string {
  const before = JSON.stringify(BEFORE.map((column) => row[column]));
  const after = JSON.stringify(AFTER.map((column) => row[column]));
  return `${before.slice(0, -1)},${row.properties},${after.slice(1)}\n`;
}
function* referenceChunks(rows: readonly string[]): Generator<string> {
  let parts: string[] = [];
  let size = 0;
  for (const row of rows) {
    parts.push(row);
    size += row.length;
    if (size >= 1 << 20) {
      yield parts.join('');
      parts = [];
      size = 0;
    }
  }
  if (parts.length > 0) yield parts.join('');
}
/** What the old body became on the wire: each string chunk encoded as UTF-8. */
const referenceBody = (lines: readonly string[]): Buffer =>
  Buffer.concat([...referenceChunks(lines)].map((chunk) => Buffer.from(chunk)));

/** The corpus is ASCII; every 7th event gets text that takes 2, 3 and 4 bytes a character. */
function withWideText(event: BenchEvent, i: number): BenchEvent {
  if (i % 7 !== 0) return event;
  return {
    ...event,
    distinct_id: `${event.distinct_id}-é-東京-🦆`,
    properties: { ...event.properties, $title: `Café ${i} — 日本語 🚀`, ключ: 'значение' },
  };
}

const EVENTS = 20_000;
const config = configSchema.parse({
  workerId: 'row-bytes-test',
  kafka: { brokers: ['unused.invalid:9092'] },
  decode: { format: 'json' },
});
const enrichment = await createEnrichment({
  ...config.enrich,
  geo: { ...config.enrich.geo, watchIntervalMs: 0 },
});
after(() => enrichment.close());

describe('rows as bytes', () => {
  const steps = createMessageSteps(new MessageDecoder(config.decode, undefined), enrichment.stage);
  const generator = new BenchEventGenerator({ seed: 19, endMs: Date.parse('2026-12-01') });
  const nowMs = Date.parse('2026-12-04T12:00:00Z');
  const context = { nowMs, ingestedAt: toClickHouseDateTime64(nowMs) };
  const lines: Buffer[] = [];
  const reference: string[] = [];
  const rows: EventRow[] = [];
  for (let i = 0; i < EVENTS; i++) {
    const outcome = runMessageSteps(
      steps,
      {
        topic: 'events',
        partition: i % 3,
        offset: String(i),
        timestampMs: nowMs,
        value: Buffer.from(JSON.stringify(withWideText(generator.next(), i))),
      },
      context,
    );
    assert.ok(outcome.ok, `corpus event ${i}: ${outcome.ok || outcome.deadLetter.message}`);
    lines.push(outcome.value.line);
    reference.push(referenceRowLine(outcome.value.row));
    rows.push(outcome.value.row);
  }

  test('every corpus row: the same bytes as the string row builder gave', () => {
    let wide = 0;
    for (const [i, line] of lines.entries()) {
      const expected = Buffer.from(reference[i]!);
      if (!line.equals(expected)) assert.fail(`row ${i}:\n${line.toString()}\n${reference[i]}`);
      if (line.length > reference[i]!.length) wide++;
    }
    assert.ok(wide >= Math.ceil(EVENTS / 7), `multi-byte rows are among them: ${wide}`);
  });

  test('the insert body: the same bytes as the joined, encoded strings, in ~1 MiB chunks', () => {
    const chunks = [...insertBodyChunks(lines)];
    assert.ok(referenceBody(reference).equals(Buffer.concat(chunks)));
    assert.ok(chunks.length > 10, `${chunks.length} chunks`);
    for (const chunk of chunks.slice(0, -1)) {
      assert.ok(chunk.length >= 1 << 20 && chunk.length < (1 << 20) + 64 * 1024, `${chunk.length}`);
    }
    // A sub-block (a split by partition, a bisected half) is assembled the same way.
    const some = lines.filter((_, i) => i % 3 === 1);
    const someReference = reference.filter((_, i) => i % 3 === 1);
    assert.ok(referenceBody(someReference).equals(Buffer.concat([...insertBodyChunks(some)])));
    assert.deepEqual([...insertBodyChunks([])], []);
  });

  test('rows past the reused buffer, and text that is not valid UTF-16, encode the same', () => {
    const row = rows[0]!;
    const cases: EventRow[] = [
      { ...row, properties: JSON.stringify({ big: 'é東🦆'.repeat(40_000) }) },
      { ...row, properties: JSON.stringify({ big: 'x'.repeat(21_845) }) },
      { ...row, distinct_id: 'lone \ud800 high', url: 'lone \udc00 low' },
      { ...row, properties: '{"raw":"\ud800"}', city: '' },
    ];
    for (const [i, wide] of cases.entries()) {
      assert.ok(rowLineBytes(wide).equals(Buffer.from(referenceRowLine(wide))), `case ${i}`);
    }
    assert.ok(lines[0]!.equals(Buffer.from(referenceRowLine(row))), 'earlier rows untouched');
  });
});
