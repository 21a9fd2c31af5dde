import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { toClickHouseDateTime64, type EventRow } from '../../../src/decode/event-row.ts';
import { RowBinaryWriter, RowValueError } from '../../../src/serialise/row-binary-writer.ts';
import { rowBinaryHeader } from '../../../src/serialise/row-binary-types.ts';
import { EVENT_COLUMNS } from '../../../src/serialise/event-columns.ts';
import { eventRow } from '../../fixtures/schema/known-events.ts';
import { readRowBinary } from '../../fixtures/serialise/read-row-binary.ts';

const base = (fields: Partial<EventRow> = {}): EventRow => ({
  ...eventRow({
    team_id: 7,
    distinct_id: 'd',
    event: 'e',
    at: new Date(Date.UTC(2026, 10, 30, 23, 59, 59, 999)),
  }),
  ...fields,
});

/** What reading the row back gives: the row's values as ClickHouse holds them. */
function expectedOf(row: EventRow): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const column of EVENT_COLUMNS) {
    const value = row[column];
    out[column] =
      column === 'team_id' || column === '_offset'
        ? String(value)
        : column === 'cost_usd'
          ? String(value)
              .replace(/(\.\d*?)0+$/, '$1')
              .replace(/\.$/, '')
          : value;
  }
  return out;
}

describe('RowBinaryWriter', () => {
  test("values in ClickHouse's layout (checked against the bytes ClickHouse 26 writes)", () => {
    const writer = new RowBinaryWriter();
    const row = base({
      uuid: '00112233-4455-6677-8899-aabbccddeeff',
      team_id: 258,
      timestamp: '2026-01-01 00:00:00.123',
      cost_usd: '1.5',
      country_code: 'US',
      retention_months: 258,
    });
    const bytes = writer.write(row);
    // SELECT toUUID('00112233-…'), toDecimal64('1.5', 8), toDateTime64('2026-01-01 00:00:00.123', 3, 'UTC') FORMAT RowBinary
    assert.equal(bytes.subarray(0, 16).toString('hex'), '7766554433221100ffeeddccbbaa9988');
    assert.equal(bytes.subarray(16, 24).toString('hex'), '0201000000000000');
    const at = bytes.indexOf(Buffer.from('7ba8da769b010000', 'hex'));
    assert.ok(at > 0, 'DateTime64(3) as Int64 milliseconds');
    assert.ok(
      bytes.includes(Buffer.from('80d1f00800000000', 'hex')),
      'Decimal64(8) scaled by 10^8',
    );
    assert.ok(bytes.includes(Buffer.from('US')), 'FixedString(2) as its two bytes');
    assert.deepEqual(readRowBinary(bytes), [expectedOf(row)]);
  });

  test('every column in its place: each string column holding its own name reads back so', () => {
    const named = Object.fromEntries(
      EVENT_COLUMNS.filter(
        (c) =>
          typeof base()[c] === 'string' &&
          ![
            'uuid',
            'timestamp',
            'properties',
            'cost_usd',
            'country_code',
            '_offset',
            '_ingested_at',
          ].includes(c),
      ).map((c) => [c, c]),
    );
    const row = base({
      ...named,
      properties: '{"properties":1}',
      tokens_prompt: 1,
      tokens_completion: 2,
      retention_months: 3,
      _partition: 4,
      team_id: 5,
      _offset: '6',
      country_code: 'CC',
    });
    const [read] = readRowBinary(new RowBinaryWriter().write(row));
    assert.deepEqual(read, expectedOf(row));
    for (const column of Object.keys(named))
      assert.equal(read[column as keyof typeof read], column);
  });

  test('strings: length in bytes before them, one-byte to three-byte lengths', () => {
    const writer = new RowBinaryWriter();
    for (const text of [
      '',
      'a',
      'é',
      '😀',
      'x'.repeat(127),
      'x'.repeat(128),
      'é'.repeat(100),
      'y'.repeat(20_000),
    ]) {
      const row = base({ distinct_id: text });
      const read = readRowBinary(writer.write(row));
      assert.equal(read[0]!.distinct_id, text, `${text.length} units`);
    }
  });

  test('a row larger than the reused buffer gets one of its own, and the buffer stays valid', () => {
    const writer = new RowBinaryWriter();
    // Grows more than once, mid-row: after distinct_id, again at properties and at the url.
    const big = base({
      distinct_id: 'é'.repeat(30_000),
      properties: JSON.stringify({ p: 'é'.repeat(40_000) }),
      url: 'u'.repeat(200_000),
    });
    const small = base({ properties: '{"a":1}' });
    const first = Buffer.from(writer.write(small));
    assert.deepEqual(readRowBinary(writer.write(big)), [expectedOf(big)]);
    assert.deepEqual(writer.write(small), first);
  });

  test('round trip: any row reads back as it was written', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.string({ unit: 'grapheme', maxLength: 40 }),
    );
    const rows = fc.record({
      uuid: fc.uuid().map((u) => u.toLowerCase()),
      team_id: fc.oneof(fc.nat(), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String)),
      distinct_id: text,
      event: text,
      properties: fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify({ v })),
      url: fc.string({ maxLength: 300 }),
      browser: text,
      country_code: fc.constantFrom('', 'US', 'DE'),
      tokens_prompt: fc.nat({ max: 0xffffffff }),
      cost_usd: fc
        .tuple(fc.bigInt({ min: 0n, max: 9_999_999_999n }), fc.nat({ max: 99_999_999 }))
        .map(([i, f]) => (f === 0 ? `${i}` : `${i}.${String(f).padStart(8, '0')}`)),
      retention_months: fc.nat({ max: 0xffff }),
      _offset: fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }).map(String),
      timestamp: fc
        .integer({ min: 0, max: Date.UTC(2299, 11, 31) })
        .map((ms) => toClickHouseDateTime64(ms)),
    });
    const writer = new RowBinaryWriter();
    fc.assert(
      fc.property(rows, (fields) => {
        const row = base(fields);
        assert.deepEqual(readRowBinary(writer.write(row)), [expectedOf(row)]);
      }),
      { numRuns: 500 },
    );
  });

  test('a value its column cannot hold is a RowValueError naming the column', () => {
    const writer = new RowBinaryWriter();
    const cases: [Partial<EventRow>, string, boolean][] = [
      [{ distinct_id: 'a\ud800b' }, 'distinct_id', true],
      [{ url: `${'u'.repeat(40)}\udc00` }, 'url', true],
      [{ uuid: 'not-a-uuid' }, 'uuid', false],
      [{ uuid: '00112233_4455-6677-8899-aabbccddeeff' }, 'uuid', false],
      [{ uuid: '00112233-4455-6677-8899-aabbccddeefg' }, 'uuid', false],
      [{ team_id: '18446744073709551616' }, 'team_id', false],
      [{ tokens_prompt: 2 ** 32 }, 'tokens_prompt', false],
      [{ retention_months: 65_536 }, 'retention_months', false],
      [{ cost_usd: '1.123456789' }, 'cost_usd', false],
      [{ cost_usd: '99999999999999999999' }, 'cost_usd', false],
      [{ country_code: 'USA' }, 'country_code', false],
      [{ timestamp: '2026-13-01 00:00:00.000' }, 'timestamp', false],
      [{ _ingested_at: 'now' }, '_ingested_at', false],
    ];
    for (const [fields, column, notWellFormed] of cases) {
      assert.throws(
        () => writer.write(base(fields)),
        (err) =>
          err instanceof RowValueError &&
          err.column === column &&
          err.notWellFormed === notWellFormed,
        column,
      );
      // The writer is usable after a refusal.
      const next = base();
      assert.deepEqual(readRowBinary(writer.write(next)), [expectedOf(next)]);
    }
  });

  test('the header names the columns and their types, in order', () => {
    const header = rowBinaryHeader();
    assert.equal(header[0], EVENT_COLUMNS.length);
    const text = header.toString('latin1');
    assert.ok(text.includes('\x04uuid') && text.includes("\x14DateTime64(3, 'UTC')"));
    assert.ok(text.indexOf('_ingested_at') < text.indexOf('UUID'), 'names, then types');
  });
});
