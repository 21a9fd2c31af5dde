/**
 * An object `properties` stored as the text it arrived as (properties-source.ts): what is
 * stored must be byte for byte what `JSON.stringify` of the parsed (and enriched) object
 * gives, the path every such event took before. Each case runs both paths — the decoder
 * (source text found) and normalizeEvent without a source (always serialised) — through the
 * real default enrichment and compares the row lines.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import { loadConfig } from '../../../src/config/load-config.ts';
import { MessageDecoder, type RawMessage } from '../../../src/decode/decode-message.ts';
import { finishRow, type DecodedEvent } from '../../../src/decode/decoded-event.ts';
import { normalizeEvent } from '../../../src/decode/normalize-event.ts';
import { createEnrichment } from '../../../src/enrich/create-enrichment.ts';
import { dropKey } from '../../../src/enrich/event-field.ts';
import { createSerialiseStep } from '../../../src/serialise/serialise-row-step.ts';
import { BenchEventGenerator } from '../../bench/corpus/bench-events.ts';

const config = loadConfig({
  env: {
    KAFKA_BROKERS: 'localhost:9092',
    DECODE_FORMAT: 'json',
    ENRICH_GEO_WATCH_INTERVAL_MS: '0',
  },
});
const enrichment = await createEnrichment(config.enrich);
after(() => enrichment.close());
const decoder = new MessageDecoder(config.decode, undefined);
const serialise = createSerialiseStep(config.decode.maxPropertiesBytes);
const context = { nowMs: Date.now(), ingestedAt: '2026-12-04 00:00:00.000' };

const message = (text: string): RawMessage => ({
  topic: 't',
  partition: 0,
  offset: '1',
  timestampMs: Date.now(),
  value: Buffer.from(text),
});

/** The stored line both ways, and whether the new way found the source text. */
function bothWays(text: string): { line: string; before: string; reused: boolean } {
  const decoded = decoder.decodeEvent(message(text), context);
  assert.ok(decoded.ok, decoded.ok ? '' : decoded.deadLetter.message);
  const reused = decoded.value.propertiesMembers !== undefined;
  const old = normalizeEvent(JSON.parse(text), message(text), config.decode, context);
  assert.ok(old.ok);
  return { line: lineOf(decoded.value), before: lineOf(old.value), reused };
}

function lineOf(event: DecodedEvent): string {
  enrichment.stage(event);
  const row = serialise(event);
  assert.ok(row.ok, row.ok ? '' : row.deadLetter.message);
  return row.value.line;
}

const HEAD = '{"team_id":1,"event":"e","distinct_id":"u","timestamp":"2026-12-01T00:00:00Z"';
const withProperties = (properties: string): string => `${HEAD},"properties":${properties}}`;

/** Asserts the two paths agree and whether the text was taken as written. */
function check(text: string, reusedExpected: boolean): string {
  const { line, before, reused } = bothWays(text);
  assert.equal(line, before);
  assert.equal(reused, reusedExpected, `source text ${reusedExpected ? '' : 'not '}taken`);
  return line;
}

describe('properties stored as written', () => {
  test('the bench corpus: every row line as before, nearly all from the source text', () => {
    const generator = new BenchEventGenerator({ seed: 47, endMs: Date.now() });
    const events = 4_000;
    let reused = 0;
    for (let i = 0; i < events; i++) {
      const both = bothWays(JSON.stringify(generator.next()));
      assert.equal(both.line, both.before, `event ${i}`);
      if (both.reused) reused++;
    }
    assert.equal(reused, events, 'the corpus is compact JSON.stringify output');
  });

  test('canonical text is taken: escapes JSON.stringify writes, raw non-ASCII, numbers', () => {
    check(withProperties('{"a":"x\\"y\\\\z\\n\\t\\r\\b\\f","b":"é😀\u2028"}'), true);
    check(
      withProperties('{"a":0.1,"b":-12,"c":123456789012345,"d":1796422572.127,"e":1e+21}'),
      true,
    );
    check(withProperties('{"a":[],"b":{},"c":[1,[true,false,null],{"d":"\\\\"}],"e":""}'), true);
    check(withProperties('{}'), true);
    check(withProperties('{"__proto__":{"x":1},"a":1}'), true);
    // `properties` nested elsewhere, or as a value, is not the member.
    check(`${HEAD},"ctx":{"properties":{"x":1}},"tag":"properties","properties":{"a":1}}`, true);
    // Whitespace outside `properties` does not matter.
    check(
      `{ "team_id" : 1 , "event":"e","distinct_id":"u","timestamp":"2026-12-01T00:00:00Z",\n "properties" : {"a":1} }`,
      true,
    );
  });

  test("each top-level member's span is recorded", () => {
    const membersOf = (properties: string): readonly number[] | undefined => {
      const decoded = decoder.decodeEvent(message(withProperties(properties)), context);
      assert.ok(decoded.ok);
      return decoded.value.propertiesMembers;
    };
    assert.deepEqual(membersOf('{"a":1,"b":[2,{"c":3}]}'), [1, 6, 7, 22]);
    assert.deepEqual(membersOf('{}'), []);
  });

  test('text JSON.stringify would write otherwise is serialised, as before', () => {
    const cases = [
      '{ "a":1}',
      '{"a": 1}',
      '{"a":[1, 2]}',
      '{"a":"\\u00e9"}',
      '{"a":"\\/"}',
      '{"a":1.0}',
      '{"a":-0}',
      '{"a":1E5}',
      '{"a":1e5}',
      '{"a":1e400}',
      '{"a":9007199254740993}',
      '{"a":12345678901234567890}',
      '{"a":1,"a":2}',
      '{"a":{"b":1,"b":2}}',
      '{"b":1,"1":2}',
      '{"b":{"x":1,"2":2}}',
    ];
    for (const properties of cases) check(withProperties(properties), false);
    // A duplicate anywhere in the message, `properties` itself included: the last one counts.
    check(`${HEAD},"properties":{"a":1},"properties":{"b":2}}`, false);
    check(`${HEAD},"event":"f","properties":{"a":1}}`, false);
  });

  test('dropped top-level keys are cut out of the text: first, middle, last, all', () => {
    const ip = '"$ip":"81.2.69.142"';
    const prompt = '"prompt":"secret"';
    for (const properties of [
      `{${ip},"a":1,"b":[2]}`,
      `{"a":1,${ip},"b":{"c":3}}`,
      `{"a":1,"b":2,${ip}}`,
      `{${ip},${prompt}}`,
      `{"a":1,${ip},${prompt},"b":2,"messages":[],"c":3}`,
      `{"__proto__":{"x":1},${ip}}`,
    ]) {
      const line = check(withProperties(properties), true);
      assert.ok(!line.includes('81.2.69.142') && !line.includes('secret'), line);
    }
  });

  test('a dropped `__proto__` (deleted, not set undefined) falls back to serialising', () => {
    const decoded = decoder.decodeEvent(
      message(withProperties('{"__proto__":{"x":1},"a":1,"b":2}')),
      context,
    );
    assert.ok(decoded.ok);
    assert.notEqual(decoded.value.propertiesMembers, undefined);
    dropKey(decoded.value.properties, '__proto__');
    decoded.value.propertiesKeysDropped = true;
    const row = finishRow(decoded.value, 1 << 20);
    assert.ok(row.ok);
    assert.equal(row.value.properties, '{"a":1,"b":2}');
  });

  test('properties as JSON text, or absent, keeps its old path', () => {
    check(`${HEAD},"properties":"{ \\"a\\": 1 }"}`, false);
    check(`${HEAD}}`, true);
  });

  test('random properties, written compactly or not: always what JSON.stringify stores', () => {
    const key = fc.oneof(
      fc.constantFrom('$ip', 'prompt', 'a', '1', '__proto__', 'properties', 'é'),
      fc.string({ maxLength: 4 }),
    );
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        fc.string({ maxLength: 6 }),
        fc.constantFrom(0, -1, 0.5, 1e21, 2 ** 60, true, false, null, '81.2.69.142'),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.array(tie('node'), { maxLength: 3 }),
        fc.dictionary(key, tie('node'), { maxKeys: 4 }),
      ),
    })).node;
    const layout = fc.constantFrom<[string, number]>(['compact', 0], ['indented', 1]);
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 8 }), layout, (properties, [, indent]) => {
        const written = JSON.stringify(properties, null, indent);
        const { line, before } = bothWays(withProperties(written));
        assert.equal(line, before);
      }),
      { numRuns: 3_000 },
    );
  });
});
