import { LineEncoder } from '../../../src/serialise/line-encoder.ts';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { RowLines, RowLineWriter, type RowOrigin } from '../../../src/batch/row-lines.ts';

/** What an insert body of these rows must be: each line's UTF-8, back to back. */
const body = (lines: readonly string[]): Buffer =>
  Buffer.concat(lines.map((l) => Buffer.from(l, 'utf8')));
const sent = (rows: RowLines): Buffer => Buffer.concat([...rows.chunks()]);

const lineArb = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 80 }),
);

describe('RowLines', () => {
  test('property: text, bytes and the insert body are the lines as UTF-8, whole, sliced and picked', () => {
    fc.assert(
      fc.property(
        fc.array(lineArb, { maxLength: 200 }),
        fc.array(fc.boolean(), { maxLength: 200 }),
        fc.nat(),
        fc.nat(),
        (lines, keep, a, b) => {
          const rows = RowLines.of(lines);
          assert.equal(rows.length, lines.length);
          assert.deepEqual(sent(rows), body(lines));
          assert.equal(rows.byteLength, body(lines).length);
          // Text round-trips as Buffer.from would (lone surrogates become U+FFFD).
          assert.deepEqual(
            rows.texts(),
            lines.map((l) => Buffer.from(l, 'utf8').toString('utf8')),
          );
          const from = lines.length === 0 ? 0 : a % lines.length;
          const to = lines.length === 0 ? 0 : from + (b % (lines.length - from + 1));
          assert.deepEqual(sent(rows.slice(from, to)), body(lines.slice(from, to)));
          const picked = lines.flatMap((_, i) => (keep[i] === true ? [i] : []));
          const pick = rows.pick(picked);
          assert.deepEqual(sent(pick), body(picked.map((i) => lines[i]!)));
          const omitted = rows.omit(new Set(picked));
          assert.deepEqual(sent(omitted), body(lines.filter((_, i) => keep[i] !== true)));
          // A view of a view addresses the same rows.
          assert.deepEqual(sent(pick.slice(1)), body(picked.slice(1).map((i) => lines[i]!)));
          picked.forEach((i, k) => assert.deepEqual(pick.bytes(k), Buffer.from(lines[i]!)));
        },
      ),
    );
  });

  test('a whole batch is sent as about one piece per slab, not one per row', () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `["row ${i}","${'x'.repeat(200)}"]\n`);
    const rows = RowLines.of(lines);
    const pieces = [...rows.chunks()];
    assert.deepEqual(Buffer.concat(pieces), body(lines));
    // ~4.1 MB in slabs of 16 KiB doubling to 1 MiB: 7 growing slabs, then 1 MiB each.
    assert.ok(pieces.length <= 12, `${pieces.length} pieces`);
    // Every other row: one piece per row (nothing adjacent any more), still the right bytes.
    const odd = rows.pick(lines.flatMap((_, i) => (i % 2 === 1 ? [i] : [])));
    assert.deepEqual(sent(odd), body(lines.filter((_, i) => i % 2 === 1)));
  });

  test('a line larger than the largest slab gets a slab of its own', () => {
    const big = `["${'é'.repeat(1_000_000)}"]\n`;
    const lines = ['["a"]\n', big, '["b"]\n'];
    const rows = RowLines.of(lines);
    assert.deepEqual(sent(rows), body(lines));
    assert.equal(rows.text(1), big);
    assert.equal(rows.bytes(1).length, Buffer.byteLength(big));
  });
});

/** Row i's origin: offset 100 + i, a month of 2026 by i. */
function origin(i: number): RowOrigin {
  return { offset: String(100 + i), partitionKey: 202_600 + (i % 12) + 1 };
}

describe('RowLines: where the rows came from', () => {
  test('each row keeps its offset and month, and its bytes as they were, in every view', () => {
    const writer = new RowLineWriter();
    const encoder = new LineEncoder();
    for (let i = 0; i < 50; i++) writer.append(encoder.encode(`["r${i}"]\n`), origin(i));
    const rows = writer.lines();
    const check = (view: RowLines, ids: readonly number[]): void => {
      assert.equal(view.length, ids.length);
      ids.forEach((i, k) => {
        assert.equal(view.offset(k), String(100 + i));
        assert.equal(view.partitionKey(k), origin(i).partitionKey);
        assert.equal(view.text(k), `["r${i}"]\n`);
      });
    };
    const all = Array.from({ length: 50 }, (_, i) => i);
    check(rows, all);
    check(rows.slice(10, 20), all.slice(10, 20));
    const odd = all.filter((i) => i % 2 === 1);
    check(rows.pick(odd), odd);
    check(rows.pick(odd).slice(3, 7), odd.slice(3, 7));
  });
});

describe('LineEncoder', () => {
  test('gives the exact UTF-8 of each line; the reused buffer is only valid until the next call', () => {
    const encoder = new LineEncoder();
    const writer = new RowLineWriter();
    const lines = ['["ü"]\n', '["😀"]\n', `["${'z'.repeat(30_000)}"]\n`, '["\ud800"]\n'];
    lines.forEach((line, i) => {
      const bytes = encoder.encode(line);
      assert.deepEqual(bytes, Buffer.from(line, 'utf8'));
      assert.equal(writer.append(bytes, origin(i)), Buffer.byteLength(line));
    });
    assert.deepEqual(sent(writer.lines()), body(lines));
  });
});
