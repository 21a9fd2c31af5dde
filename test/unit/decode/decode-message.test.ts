import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import avro from 'avsc';
import { AvroSchemas } from '../../../src/decode/avro-schemas.ts';
import { MessageDecoder, type RawMessage } from '../../../src/decode/decode-message.ts';
import { uuidFromOrigin } from '../../../src/decode/deterministic-uuid.ts';
import type { EventRow } from '../../../src/decode/event-row.ts';
import type { DecodeConfig } from '../../../src/config/schema.ts';
import { decodeConfig } from '../../fixtures/decode/decode-config.ts';
import { poisonCases } from '../../support/poison.ts';
import { decodeRow } from '../../fixtures/decode/decode-row.ts';

const config: DecodeConfig = decodeConfig({
  avroSchemaIds: {
    '1': 'schemas/avro/event.avsc',
    '7': 'test/fixtures/avro/event-v0-minimal.avsc',
  },
  maxMessageBytes: 64 * 1024,
  maxPropertiesBytes: 8 * 1024,
  maxFutureSkewMs: 60 * 60 * 1000,
});
const schemas = new AvroSchemas({
  readerSchemaFile: config.avroSchemaFile,
  schemaIds: config.avroSchemaIds,
});
const decoder = new MessageDecoder(config, schemas);
const context = { nowMs: Date.now(), ingestedAt: '2026-11-21 00:00:00.000' };
const message = (value: Buffer | null, offset = '42'): RawMessage => ({
  topic: 't',
  partition: 3,
  offset,
  timestampMs: Date.now(),
  value,
});

function decodeOk(value: Buffer, offset?: string): EventRow {
  const outcome = decodeRow(decoder, message(value, offset), context);
  assert.ok(
    outcome.ok,
    outcome.ok ? '' : `${outcome.deadLetter.reason}: ${outcome.deadLetter.message}`,
  );
  return outcome.value;
}

describe('decode: JSON events', () => {
  test('HIP-47 fields, properties as object, denormalised columns and ingestion columns', () => {
    const row = decodeOk(
      Buffer.from(
        JSON.stringify({
          uuid: '0190A8E2-7C1E-7000-8000-000000000001',
          team_id: 7,
          event: '$pageview',
          timestamp: '2026-02-23T12:00:00.123Z',
          distinct_id: 12345,
          properties: {
            $current_url: 'https://hanzo.ai/pricing?x=1',
            $referrer: 'https://google.com/',
            $session_id: 'sess',
            utm_source: 'news',
          },
        }),
      ),
    );
    assert.equal(row.uuid, '0190a8e2-7c1e-7000-8000-000000000001');
    assert.equal(row.team_id, 7);
    assert.equal(row.distinct_id, '12345');
    assert.equal(row.timestamp, '2026-02-23 12:00:00.123');
    assert.equal(row.url, 'https://hanzo.ai/pricing?x=1');
    assert.equal(row.host, 'hanzo.ai');
    assert.equal(row.pathname, '/pricing');
    assert.equal(row.session_id, 'sess');
    assert.equal(row.utm_source, 'news');
    assert.deepEqual([row._topic, row._partition, row._offset], ['t', 3, '42']);
  });

  test('properties as a JSON-encoded string (HIP-47 HTTP example) are kept verbatim', () => {
    const props = '{"url":"/dashboard","n":1}';
    const row = decodeOk(
      Buffer.from(
        JSON.stringify({
          team_id: 1,
          event: 'e',
          distinct_id: 'u',
          timestamp: '2026-02-23 12:00:01',
          properties: props,
        }),
      ),
    );
    assert.equal(row.properties, props);
    assert.equal(row.timestamp, '2026-02-23 12:00:01.000');
  });

  test('LLM and billing columns; cost as exact decimal text', () => {
    const row = decodeOk(
      Buffer.from(
        JSON.stringify({
          team_id: 1,
          event: '$llm_request',
          distinct_id: 'u',
          timestamp: Date.now(),
          model: 'gpt-4o',
          provider: 'openai',
          tokens_prompt: 1200,
          tokens_completion: '300',
          cost_usd: 0.1 + 0.2,
          organization_id: 'org_1',
          project_id: 'p',
          api_key_id: 'k',
        }),
      ),
    );
    assert.deepEqual(
      [row.model, row.provider, row.tokens_prompt, row.tokens_completion, row.cost_usd],
      ['gpt-4o', 'openai', 1200, 300, '0.3'],
    );
    assert.deepEqual([row.organization_id, row.project_id, row.api_key_id], ['org_1', 'p', 'k']);
  });

  test('a missing uuid is derived from topic/partition/offset: stable across replays', () => {
    const value = Buffer.from(
      JSON.stringify({ team_id: 1, event: 'e', distinct_id: 'u', timestamp: Date.now() }),
    );
    const a = decodeOk(value, '100');
    const b = decodeOk(value, '100');
    const c = decodeOk(value, '101');
    assert.equal(a.uuid, b.uuid);
    assert.notEqual(a.uuid, c.uuid);
    assert.equal(a.uuid, uuidFromOrigin('t', 3, '100'));
    assert.match(a.uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  test('team_id beyond 2^53 travels as text, exactly', () => {
    const row = decodeOk(
      Buffer.from(`{"team_id":"18446744073709551615","event":"e","distinct_id":"u","timestamp":0}`),
    );
    assert.equal(row.team_id, '18446744073709551615');
  });

  test('UTF-8 is checked strictly; a byte-order mark in front is dropped', () => {
    const event = '{"team_id":1,"event":"é 😀","distinct_id":"u","timestamp":0}';
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    assert.equal(decodeOk(Buffer.concat([bom, Buffer.from(event)])).event, 'é 😀');
    const invalid = {
      'a lone continuation byte': [0x80],
      'an overlong slash': [0xc0, 0xaf],
      'a UTF-16 surrogate encoded as UTF-8': [0xed, 0xa0, 0x80],
      'a truncated 4-byte sequence': [0xf0, 0x9f, 0x98],
      'above U+10FFFF': [0xf4, 0x90, 0x80, 0x80],
    };
    for (const [name, bytes] of Object.entries(invalid)) {
      const value = Buffer.concat([
        Buffer.from('{"team_id":1,"event":"'),
        Buffer.from(bytes),
        Buffer.from('","distinct_id":"u","timestamp":0}'),
      ]);
      const outcome = decodeRow(decoder, message(value), context);
      assert.equal(outcome.ok ? name : outcome.deadLetter.reason, 'invalid_utf8', name);
    }
  });

  for (const poison of poisonCases(config.maxMessageBytes, config.maxPropertiesBytes)) {
    test(`dead letter: ${poison.name} → ${poison.reason}`, () => {
      const outcome = decodeRow(decoder, message(poison.value), context);
      assert.equal(outcome.ok, false);
      if (!outcome.ok) {
        assert.equal(outcome.deadLetter.reason, poison.reason, outcome.deadLetter.message);
        assert.equal(outcome.deadLetter.stage, 'decode');
        assert.ok(outcome.deadLetter.message.length > 0);
      }
    });
  }

  test('broker-time policy replaces a future timestamp and keeps the original', () => {
    const lenient = new MessageDecoder({ ...config, timestampSkewPolicy: 'broker-time' }, schemas);
    const brokerMs = Date.UTC(2026, 10, 21, 10, 0, 0);
    const outcome = decodeRow(
      lenient,
      {
        topic: 't',
        partition: 0,
        offset: '1',
        timestampMs: brokerMs,
        value: Buffer.from(
          JSON.stringify({
            team_id: 1,
            event: 'e',
            distinct_id: 'u',
            timestamp: '2099-01-01T00:00:00Z',
          }),
        ),
      },
      context,
    );
    assert.ok(outcome.ok);
    if (outcome.ok) {
      assert.equal(outcome.value.timestamp, '2026-11-21 10:00:00.000');
      assert.equal(
        (JSON.parse(outcome.value.properties) as Record<string, unknown>)['$original_timestamp'],
        '2099-01-01T00:00:00Z',
      );
    }
  });

  test('broker-time policy: a record without a usable broker time is a dead letter, not a 1969 row', () => {
    const lenient = new MessageDecoder({ ...config, timestampSkewPolicy: 'broker-time' }, schemas);
    const future = Buffer.from(
      JSON.stringify({
        team_id: 1,
        event: 'e',
        distinct_id: 'u',
        timestamp: '2099-01-01T00:00:00Z',
      }),
    );
    const withBrokerTime = (timestampMs: number) =>
      decodeRow(
        lenient,
        { topic: 't', partition: 0, offset: '1', timestampMs, value: future },
        context,
      );
    const cases: [number, RegExp][] = [
      [-1, /2099-01-01T00:00:00\.000Z, and the message has no broker timestamp$/],
      [
        context.nowMs + 2 * 60 * 60 * 1000,
        /and the message's broker timestamp is \d+ s in the future/,
      ],
    ];
    for (const [brokerMs, detail] of cases) {
      const outcome = withBrokerTime(brokerMs);
      assert.equal(outcome.ok, false, `broker time ${brokerMs}`);
      if (!outcome.ok) {
        assert.equal(outcome.deadLetter.reason, 'timestamp_in_future');
        assert.match(outcome.deadLetter.message, detail);
      }
    }
    // The epoch itself is a time an event may carry: it stands in.
    const epoch = withBrokerTime(0);
    assert.ok(epoch.ok);
    if (epoch.ok) assert.equal(epoch.value.timestamp, '1970-01-01 00:00:00.000');
  });
});

describe('decode: Avro events', () => {
  const reader = avro.Type.forSchema(
    JSON.parse(JSON.stringify(schemas.reader.schema())) as avro.Schema,
  );
  const record = {
    uuid: null,
    team_id: 9,
    event: '$llm_request',
    distinct_id: 'u9',
    timestamp: Date.now(),
    session_id: 's',
    properties: '{"a":1}',
    model: 'claude-sonnet-4-5',
    provider: 'anthropic',
    tokens_prompt: 10,
    tokens_completion: 20,
    cost_usd: '0.00042',
    organization_id: 'org',
    project_id: null,
    api_key_id: null,
  };

  test('plain Avro (DECODE_FORMAT=avro)', () => {
    const plain = new MessageDecoder({ ...config, format: 'avro' }, schemas);
    const outcome = decodeRow(plain, message(reader.toBuffer(record)), context);
    assert.ok(outcome.ok);
    if (outcome.ok)
      assert.deepEqual(
        [
          outcome.value.team_id,
          outcome.value.model,
          outcome.value.tokens_completion,
          outcome.value.cost_usd,
        ],
        [9, 'claude-sonnet-4-5', 20, '0.00042'],
      );
  });

  test('invalid UTF-8 inside an Avro string is invalid_utf8, as in JSON, never replaced', () => {
    const plain = new MessageDecoder({ ...config, format: 'avro' }, schemas);
    /** The record with `marker` (ASCII, in one field) replaced by `bytes` in the encoding. */
    const corrupted = (field: string, marker: string, bytes: number[]): Buffer => {
      const encoded = reader.toBuffer({ ...record, [field]: marker });
      const at = encoded.indexOf(marker);
      assert.ok(at >= 0);
      Buffer.from(bytes).copy(encoded, at);
      return encoded;
    };
    for (const [field, marker, bytes] of [
      ['event', 'aZZb', [0x61, 0xff, 0xfe, 0x62]],
      ['distinct_id', 'QQ', [0xc3, 0x28]],
      [
        'properties',
        '{"a":"xyz"}',
        [...Buffer.from('{"a":"'), 0xed, 0xa0, 0x80, ...Buffer.from('"}')],
      ],
    ] as const) {
      const outcome = decodeRow(plain, message(corrupted(field, marker, [...bytes])), context);
      assert.equal(outcome.ok, false, field);
      if (!outcome.ok) {
        assert.equal(outcome.deadLetter.reason, 'invalid_utf8', outcome.deadLetter.message);
        assert.match(
          outcome.deadLetter.message,
          /^an Avro string of \d+ bytes at byte \d+ is not valid UTF-8$/,
        );
      }
    }
    // U+FFFD sent as such is valid UTF-8: kept.
    const kept = decodeRow(
      plain,
      message(reader.toBuffer({ ...record, event: 'a\uFFFDb' })),
      context,
    );
    assert.ok(kept.ok);
    if (kept.ok) assert.equal(kept.value.event, 'a\uFFFDb');
  });

  test('Confluent wire format: magic byte + schema id, resolved from an older writer schema', () => {
    const wire = (id: number, payload: Buffer): Buffer =>
      Buffer.concat([Buffer.from([0, 0, 0, 0, id]), payload]);
    const current = decodeRow(decoder, message(wire(1, reader.toBuffer(record))), context);
    assert.ok(current.ok);
    const known = schemas.writer(7);
    assert.ok(known.ok);
    const old = avro.Type.forSchema(
      JSON.parse(JSON.stringify(known.value.type.schema())) as avro.Schema,
    );
    const legacy = decodeRow(
      decoder,
      message(
        wire(
          7,
          old.toBuffer({
            team_id: 3,
            event: 'e',
            distinct_id: 'd',
            timestamp: Date.now(),
            properties: null,
          }),
        ),
      ),
      context,
    );
    assert.ok(legacy.ok, legacy.ok ? '' : legacy.deadLetter.message);
    if (legacy.ok) assert.equal(legacy.value.team_id, 3);
  });

  test('truncated Avro is a dead letter, not a crash', () => {
    const plain = new MessageDecoder({ ...config, format: 'avro' }, schemas);
    const outcome = decodeRow(plain, message(reader.toBuffer(record).subarray(0, 7)), context);
    assert.ok(!outcome.ok && outcome.deadLetter.reason === 'invalid_avro');
  });
});

describe('decode: numbers where text is stored', () => {
  const event = (field: string, number: string): Buffer =>
    Buffer.from(
      `{"team_id":1,"event":"e","distinct_id":"d","timestamp":"2026-11-21T10:00:00Z","${field}":${number}}`,
    );
  test('integers beyond 2^53 are wrong_type, never a different id', () => {
    for (const [field, number] of [
      ['distinct_id', '12345678901234567891'],
      ['session_id', '9007199254740993'],
      ['organization_id', '1e21'],
      ['project_id', '-9007199254740993'],
    ] as const) {
      const outcome = decodeRow(decoder, message(event(field, number)), context);
      assert.equal(outcome.ok, false, `${field}: ${number}`);
      if (!outcome.ok) {
        assert.equal(outcome.deadLetter.reason, 'wrong_type');
        assert.equal(
          outcome.deadLetter.message,
          `${field} is an integer beyond 2^53, which a JSON number does not carry exactly: send it as a string`,
        );
      }
    }
  });
  test('up to 2^53 and fractions: the text JavaScript prints', () => {
    assert.equal(
      decodeOk(event('distinct_id', '9007199254740991')).distinct_id,
      '9007199254740991',
    );
    assert.equal(decodeOk(event('session_id', '-42')).session_id, '-42');
    assert.equal(decodeOk(event('project_id', '1.10')).project_id, '1.1');
  });
});
