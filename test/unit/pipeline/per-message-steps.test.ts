/**
 * The per-message steps one by one, each with the value the step before hands it: decode
 * (bytes → event), enrich (event → event), serialise (event → row bytes). None throws: whatever a
 * step's library throws becomes an `unprocessable` dead letter naming the step.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MessageDecoder, type RawMessage } from '../../../src/decode/decode-message.ts';
import { createDecodeStep } from '../../../src/decode/decode-step.ts';
import { EVENT_COLUMNS } from '../../../src/serialise/event-columns.ts';
import { createEnrichStep } from '../../../src/enrich/enrich-step.ts';
import { createSerialiseStep } from '../../../src/serialise/serialise-row-step.ts';
import {
  JSON_COMPACT_ROWS,
  ROW_BINARY,
  RowFormatChoice,
  type RowFormat,
} from '../../../src/serialise/row-format.ts';
import { decodeConfig } from '../../fixtures/decode/decode-config.ts';
import { decodedEvent } from '../../fixtures/enrich/decoded-events.ts';

const context = {
  nowMs: Date.parse('2026-12-04T00:00:00Z'),
  ingestedAt: '2026-12-04 00:00:00.000',
};
const message = (value: string): RawMessage => ({
  topic: 't',
  partition: 0,
  offset: '7',
  timestampMs: context.nowMs,
  value: Buffer.from(value),
});

describe('decode step', () => {
  const decode = createDecodeStep(new MessageDecoder(decodeConfig({ format: 'json' }), undefined));

  test('bytes → the decoded event, properties parsed and not yet serialised', () => {
    const outcome = decode(
      message(
        '{"team_id":1,"event":"e","distinct_id":"u","timestamp":"2026-12-03T10:00:00Z","properties":{"a":1}}',
      ),
      context,
    );
    assert.ok(outcome.ok);
    assert.deepEqual(outcome.value.properties, { a: 1 });
    assert.equal(outcome.value.row.properties, '');
  });

  test('bad input is a dead letter by rule', () => {
    const outcome = decode(message('{"team_id":'), context);
    assert.deepEqual(outcome.ok ? undefined : outcome.deadLetter.reason, 'invalid_json');
  });

  test('a decoder that throws makes the message unprocessable at the decode stage', () => {
    const throwing = Object.create(MessageDecoder.prototype) as MessageDecoder;
    Object.defineProperty(throwing, 'decodeEvent', {
      value: () => {
        throw new RangeError('boom');
      },
    });
    const outcome = createDecodeStep(throwing)(message('{}'), context);
    assert.ok(!outcome.ok);
    assert.deepEqual(outcome.deadLetter, {
      reason: 'unprocessable',
      stage: 'decode',
      message: 'decode failed: RangeError: boom',
    });
  });
});

describe('enrich step', () => {
  test('the event comes back enriched in place', () => {
    const event = decodedEvent({ properties: { keep: 1 } });
    const outcome = createEnrichStep((e) => {
      e.row.country_code = 'NL';
    })(event);
    assert.ok(outcome.ok);
    assert.equal(outcome.value, event);
    assert.equal(outcome.value.row.country_code, 'NL');
  });

  test('an enricher that throws makes the message unprocessable at the enrich stage', () => {
    const outcome = createEnrichStep(() => {
      throw new TypeError('cannot read x');
    })(decodedEvent({}));
    assert.ok(!outcome.ok);
    assert.deepEqual(outcome.deadLetter, {
      reason: 'unprocessable',
      stage: 'enrich',
      message: 'enrich failed: TypeError: cannot read x',
    });
  });
});

describe('serialise step', () => {
  const step = (maxPropertiesBytes: number, format: RowFormat = ROW_BINARY) =>
    createSerialiseStep(maxPropertiesBytes, new RowFormatChoice(format));

  test("the row's JSON line in column order and its ClickHouse partition", () => {
    const event = decodedEvent({ timestamp: '2026-11-30T23:59:59Z', properties: { é: 'ü' } });
    const outcome = step(1 << 16, JSON_COMPACT_ROWS)(event);
    assert.ok(outcome.ok);
    const { bytes, partitionKey, row } = outcome.value;
    const line = bytes.toString('utf8');
    assert.ok(line.endsWith('\n'));
    assert.equal(partitionKey, 202611);
    const columns = JSON.parse(line) as unknown[];
    assert.equal(columns.length, EVENT_COLUMNS.length);
    assert.equal(row.properties, '{"é":"ü"}');
  });

  test('the row in RowBinary starts with its uuid, as ClickHouse lays it out', () => {
    const event = decodedEvent({ uuid: '00112233-4455-6677-8899-aabbccddeeff' });
    const outcome = step(1 << 16)(event);
    assert.ok(outcome.ok);
    assert.equal(
      outcome.value.bytes.subarray(0, 16).toString('hex'),
      '7766554433221100ffeeddccbbaa9988',
    );
    assert.equal(ROW_BINARY.uuidOf(outcome.value.bytes), '00112233-4455-6677-8899-aabbccddeeff');
  });

  for (const format of [ROW_BINARY, JSON_COMPACT_ROWS]) {
    test(`a lone surrogate in a string column is the message's dead letter (${format.name})`, () => {
      const outcome = step(1 << 16, format)(decodedEvent({ distinct_id: 'user-\ud800' }));
      assert.equal(outcome.ok ? undefined : outcome.deadLetter.reason, 'invalid_utf8');
      assert.match(outcome.ok ? '' : outcome.deadLetter.message, /^distinct_id holds a lone/);
      // The next message is written as usual.
      assert.ok(step(1 << 16, format)(decodedEvent({ distinct_id: 'user-😀' })).ok);
    });
  }

  test('properties above the limit, as they will be stored, are a dead letter', () => {
    const outcome = step(16)(decodedEvent({ properties: { long: 'x'.repeat(40) } }));
    assert.equal(outcome.ok ? undefined : outcome.deadLetter.reason, 'properties_too_large');
  });
});
