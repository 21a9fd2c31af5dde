import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import avro from 'avsc';
import { blockCountProblem } from '../../../src/decode/avro-block-counts.ts';
import { hasRepeats, zeroWidthRepeat } from '../../../src/decode/avro-repeats.ts';

const typeOf = (schema: unknown) => avro.Type.forSchema(schema as avro.Schema);
const recordOf = (name: string, fields: { name: string; type: unknown }[]) => ({
  type: 'record',
  name,
  fields,
});
const long = typeOf('long');
/** A block count as avsc writes it (zig-zag varint). */
const count = (n: number): Buffer => long.toBuffer(n);

describe('zeroWidthRepeat: arrays whose items take no bytes', () => {
  const refused: [string, unknown, RegExp][] = [
    ['array of null', { type: 'array', items: 'null' }, /^\$ is an array of null$/],
    ['array of an empty record', { type: 'array', items: recordOf('Empty', []) }, /Empty/],
    [
      'array of fixed(0)',
      { type: 'array', items: { type: 'fixed', name: 'Z', size: 0 } },
      /fixed\(0\)/,
    ],
    [
      'array of a record of zero-byte fields, nested',
      {
        type: 'array',
        items: recordOf('Outer', [
          { name: 'a', type: 'null' },
          {
            name: 'b',
            type: recordOf('Inner', [{ name: 'c', type: { type: 'fixed', name: 'F0', size: 0 } }]),
          },
        ]),
      },
      /Outer/,
    ],
    [
      'deep in a record field, a union and a map',
      recordOf('Event', [
        { name: 'id', type: 'long' },
        {
          name: 'extra',
          type: ['null', { type: 'map', values: { type: 'array', items: 'null' } }],
        },
      ]),
      /^\$\.extra\{\} is an array of null$/,
    ],
    [
      'array of arrays of null',
      { type: 'array', items: { type: 'array', items: 'null' } },
      /^\$\[\] is an array of null$/,
    ],
  ];
  for (const [name, schema, where] of refused) {
    test(`refused: ${name}`, () => {
      const found = zeroWidthRepeat(typeOf(schema));
      assert.ok(found !== undefined, 'not refused');
      assert.match(found, where);
    });
  }

  const accepted: [string, unknown][] = [
    ['array of long', { type: 'array', items: 'long' }],
    [
      'array of a nullable long (the branch index is a byte)',
      { type: 'array', items: ['null', 'long'] },
    ],
    [
      'array of a single-symbol enum (the index is a byte)',
      { type: 'array', items: { type: 'enum', name: 'One', symbols: ['A'] } },
    ],
    [
      'array of a record with one non-empty field',
      {
        type: 'array',
        items: recordOf('R', [
          { name: 'a', type: 'null' },
          { name: 'b', type: 'boolean' },
        ]),
      },
    ],
    // Every map entry carries its key (at least a length byte): counts are bounded by bytes.
    ['map of null', { type: 'map', values: 'null' }],
    [
      'a recursive list',
      { type: 'array', items: recordOf('Node', [{ name: 'next', type: ['null', 'Node'] }]) },
    ],
    ['the event schema', JSON.parse(readFileSync('schemas/avro/event.avsc', 'utf8'))],
  ];
  for (const [name, schema] of accepted) {
    test(`accepted: ${name}`, () => {
      assert.equal(zeroWidthRepeat(typeOf(schema)), undefined);
    });
  }
});

describe('blockCountProblem: block counts against the bytes left', () => {
  const rich = typeOf(
    recordOf('Rich', [
      { name: 'tags', type: { type: 'array', items: 'string' } },
      { name: 'scores', type: { type: 'map', values: ['null', 'double'] } },
      { name: 'flags', type: { type: 'array', items: 'boolean' } },
      { name: 'nested', type: { type: 'array', items: { type: 'array', items: 'int' } } },
      { name: 'blob', type: { type: 'fixed', name: 'Blob', size: 3 } },
      { name: 'kind', type: { type: 'enum', name: 'Kind', symbols: ['A', 'B', 'C'] } },
      { name: 'when', type: { type: 'long', logicalType: 'timestamp-millis' } },
      { name: 'raw', type: 'bytes' },
      { name: 'ratio', type: 'float' },
      { name: 'empty', type: recordOf('Nothing', []) },
    ]),
  );

  test('every value avsc writes passes (random values of a rich schema)', () => {
    assert.equal(hasRepeats(rich), true);
    for (let i = 0; i < 300; i++) {
      const buf = rich.toBuffer(rich.random());
      assert.equal(blockCountProblem(rich, buf), undefined, buf.toString('hex'));
    }
  });

  test('negative counts (blocks with a byte size) pass', () => {
    const type = typeOf({ type: 'array', items: 'long' });
    // count -2, size 2 bytes, items 1 and 2, end.
    const buf = Buffer.from([3, 4, 2, 4, 0]);
    assert.deepEqual(type.fromBuffer(buf), [1, 2]);
    assert.equal(blockCountProblem(type, buf), undefined);
  });

  // avsc (5.7.9) loops over a block count as written and notices the end only afterwards:
  // measured, a 5-byte count of 2^32-1 longs ran past 120 s when skipped and aborted the
  // process (heap) when read. The check turns each of these into a refusal in microseconds.
  const huge: [string, unknown][] = [
    ['array of long', { type: 'array', items: 'long' }],
    ['array of string', { type: 'array', items: 'string' }],
    ['array of boolean', { type: 'array', items: 'boolean' }],
    ['map of long', { type: 'map', values: 'long' }],
    ['map of null', { type: 'map', values: 'null' }],
  ];
  for (const [name, schema] of huge) {
    for (const n of [2 ** 31 - 1, 2 ** 32 - 1, -(2 ** 32 - 1)]) {
      test(`${name}: a count of ${n} in a few bytes is refused at once`, () => {
        const type = typeOf(schema);
        const buf = Buffer.concat([count(n), count(0)]);
        const started = performance.now();
        const problem = blockCountProblem(type, buf);
        assert.match(String(problem), /block claims \d+ items with \d+ bytes left/);
        // A failure bound, not a speed target: walking such a count takes minutes.
        const tookMs = performance.now() - started;
        assert.ok(tookMs < 5_000, `refused without walking the count (${tookMs} ms)`);
      });
    }
  }

  test('a plausible count over a truncated payload is refused, not walked past the end', () => {
    const type = typeOf({ type: 'array', items: 'long' });
    // Two items claimed, two bytes left: the first long takes both.
    const buf = Buffer.concat([count(2), count(300)]);
    assert.match(String(blockCountProblem(type, buf)), /truncated/);
  });

  test('a union index out of range', () => {
    const type = typeOf({ type: 'array', items: ['null', 'long'] });
    const buf = Buffer.concat([count(1), count(5), count(0)]);
    assert.match(String(blockCountProblem(type, buf)), /union branch/);
  });
});
