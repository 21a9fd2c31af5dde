import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { RowLines } from '../../../src/batch/row-lines.ts';
import {
  partitionKeyOf,
  splitByPartition,
  type RowBlock,
} from '../../../src/sink/split-by-partition.ts';

/** A block as plain data: its token, its rows' text and its messages' offsets. */
const plain = (b: RowBlock) => ({
  token: b.token,
  rows: b.rows.texts(),
  offsets: Array.from({ length: b.rows.length }, (_, k) => b.rows.offset(k)),
});

/** Rows `lines` of t[0] at offsets 0…, row i in month `keys[i]`. */
const rowsOf = (lines: readonly string[], keys: readonly (string | number)[]): RowLines =>
  RowLines.of(lines, (i) => ({ offset: String(i), partitionKey: Number(keys[i]) }));

describe('partitionKeyOf', () => {
  test('is toYYYYMM of the UTC timestamp text', () => {
    assert.equal(partitionKeyOf({ timestamp: '2026-12-04 23:59:59.999' }), 202612);
    assert.equal(partitionKeyOf({ timestamp: '1970-01-01 00:00:00.000' }), 197001);
  });
});

describe('splitByPartition', () => {
  test('a batch within the limit is one block under its own token', () => {
    const keys = ['202601', '202602', '202601'];
    const blocks = splitByPartition(rowsOf(['a', 'b', 'c'], keys), 't:0:0-2', 2);
    assert.deepEqual(
      blocks.map((b) => [b.token, b.rows.texts()]),
      [['t:0:0-2', ['a', 'b', 'c']]],
    );
  });

  test('120 months with a limit of 100: two blocks, months ascending, offsets in order', () => {
    const months = Array.from({ length: 120 }, (_, i) => {
      const m = 119 - i; // newest first, so sorting matters
      return `${2010 + Math.floor(m / 12)}${String((m % 12) + 1).padStart(2, '0')}`;
    });
    const rows = months.map((m) => `row-${m}`);
    const blocks = splitByPartition(rowsOf(rows, months), 'tok', 100);
    assert.deepEqual(
      blocks.map((b) => [b.token, b.rows.length]),
      [
        ['tok/p201001-201804', 100],
        ['tok/p201805-201912', 20],
      ],
    );
    for (const block of blocks) {
      const offsets = plain(block).offsets.map(Number);
      assert.deepEqual(
        offsets,
        [...offsets].sort((a, b) => a - b),
      );
    }
  });

  test('property: every row in exactly one block, each within the limit, the same split every time', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 400 }),
        fc.integer({ min: 1, max: 120 }),
        (monthIndexes, limit) => {
          const keys = monthIndexes.map((m) => String(200001 + m));
          const rows = keys.map((_, i) => `r${i}`);
          const blocks = splitByPartition(rowsOf(rows, keys), 'tok', limit);
          const again = splitByPartition(rowsOf(rows, keys), 'tok', limit);
          assert.deepEqual(blocks.map(plain), again.map(plain));
          assert.deepEqual(blocks.flatMap((b) => b.rows.texts()).sort(), [...rows].sort());
          assert.equal(new Set(blocks.map((b) => b.token)).size, blocks.length);
          for (const block of blocks) {
            const { offsets } = plain(block);
            const inBlock = new Set(offsets.map((o) => keys[Number(o)]));
            assert.ok(inBlock.size <= limit);
            block.rows.texts().forEach((r, i) => assert.equal(r, rows[Number(offsets[i])]));
          }
        },
      ),
    );
  });
});
