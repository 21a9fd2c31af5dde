import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ClickHouseError } from '@clickhouse/client';
import { RetryPolicy } from '../../../src/retry/retry-policy.ts';
import { RowLines } from '../../../src/batch/row-lines.ts';
import type { SourceMessage } from '../../../src/batch/source-message.ts';
import { landRows, type RowInserter } from '../../../src/sink/land-rows.ts';
import { heldMessage } from '../../fixtures/batch/messages.ts';

const source = heldMessage;
/** These fakes compare rows by their text. */
const texts = (rows: RowLines): string[] => rows.texts();
type LandRest = Parameters<typeof landRows> extends [unknown, ...infer Rest] ? Rest : never;
/** landRows on rows given as text, row i from message `sources[i]`. */
const land = (rows: readonly string[], sources: readonly SourceMessage[], ...rest: LandRest) =>
  landRows(
    RowLines.of(rows, (i) => ({ offset: sources[i]!.offset, partitionKey: 202612 })),
    ...rest,
  );
const parseError = (): ClickHouseError =>
  new ClickHouseError({
    message: 'Code: 27. DB::Exception: Cannot parse input. (CANNOT_PARSE_INPUT_ASSERTION_FAILED)',
    code: '27',
    type: 'CANNOT_PARSE_INPUT_ASSERTION_FAILED',
  });

/** An in-memory table that behaves like ClickHouse for these rules: atomic inserts, token dedup. */
function fakeTable(poison: Set<string>, transientFailures = 0) {
  const rows: string[] = [];
  const tokens = new Set<string>();
  const calls: string[] = [];
  let failures = transientFailures;
  const insert: RowInserter = async (batch, token) => {
    calls.push(token);
    if (failures > 0) {
      failures--;
      throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    }
    if (texts(batch).some((r) => poison.has(r))) throw parseError();
    if (tokens.has(token)) return;
    tokens.add(token);
    rows.push(...texts(batch));
  };
  return { rows, calls, insert };
}

const options = (insert: RowInserter) => ({
  insert,
  retry: new RetryPolicy({ initialMs: 1, maxMs: 2 }),
  signal: new AbortController().signal,
});

describe('landRows', () => {
  test('transient failures retry the same insert with the same token until it lands', async () => {
    const table = fakeTable(new Set(), 3);
    const retries: number[] = [];
    const rejected = await land(['a', 'b'], [source(0), source(1)], 'tok', {
      ...options(table.insert),
      onRetry: (_e, attempt) => retries.push(attempt),
    });
    assert.deepEqual(rejected, []);
    assert.deepEqual(table.rows, ['a', 'b']);
    assert.deepEqual(table.calls, ['tok', 'tok', 'tok', 'tok']);
    assert.deepEqual(retries, [1, 2, 3]);
  });

  test('bad rows are isolated by bisection; every other row lands exactly once', async () => {
    const rows = Array.from({ length: 16 }, (_, i) => `r${i}`);
    const sources = rows.map((_, i) => source(100 + i));
    const table = fakeTable(new Set(['r3', 'r11']));
    const rejected = await land(rows, sources, 't:0:100-115', options(table.insert));
    assert.deepEqual(
      rejected.map((r) => [r.offset, r.row.toString()]),
      [
        ['103', 'r3'],
        ['111', 'r11'],
      ],
    );
    assert.ok(
      rejected.every(
        (r) => r.deadLetter.reason === 'rejected_by_clickhouse' && r.deadLetter.stage === 'sink',
      ),
    );
    assert.deepEqual([...table.rows].sort(), rows.filter((r) => r !== 'r3' && r !== 'r11').sort());
    assert.ok(
      table.calls.every((t) => t.startsWith('t:0:100-115')),
      'sub-insert tokens derive from the batch token',
    );
  });

  test('repeating the same split (after a crash) deduplicates every sub-insert', async () => {
    const rows = Array.from({ length: 8 }, (_, i) => `r${i}`);
    const sources = rows.map((_, i) => source(i));
    const table = fakeTable(new Set(['r5']));
    await land(rows, sources, 'x', options(table.insert));
    await land(rows, sources, 'x', options(table.insert));
    assert.equal(table.rows.length, 7);
  });

  test('an aborted lane stops retrying', async () => {
    const controller = new AbortController();
    const insert: RowInserter = async () => {
      controller.abort();
      throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    };
    await assert.rejects(
      land(['a'], [source(0)], 'x', { ...options(insert), signal: controller.signal }),
    );
  });

  test('a block with too many partitions is split until it fits; no row is dead-lettered', async () => {
    // Rows name their month; the table refuses a block touching more than 3 months.
    const rows = Array.from({ length: 12 }, (_, i) => `m${i % 6}`);
    const sources = rows.map((_, i) => source(i));
    const landed: string[] = [];
    const insert: RowInserter = async (batch) => {
      if (new Set(texts(batch)).size > 3) {
        throw new ClickHouseError({
          message:
            'Code: 252. DB::Exception: Too many partitions for single INSERT block (more than 3). (TOO_MANY_PARTS)',
          code: '252',
          type: 'TOO_MANY_PARTS',
        });
      }
      landed.push(...texts(batch));
    };
    const retries: number[] = [];
    const rejected = await land(rows, sources, 'tok', {
      ...options(insert),
      onRetry: (_e, attempt) => retries.push(attempt),
    });
    assert.deepEqual(rejected, []);
    assert.deepEqual(retries, [], 'never retried as it was');
    assert.deepEqual(landed.sort(), [...rows].sort());
  });

  test('a configuration failure is retried as it is until it is fixed', async () => {
    let failures = 2;
    const insert: RowInserter = async () => {
      if (failures-- > 0)
        throw new ClickHouseError({
          message: 'Code: 60. Table x does not exist',
          code: '60',
          type: 'UNKNOWN_TABLE',
        });
    };
    const retries: number[] = [];
    const rejected = await land(['a'], [source(0)], 'tok', {
      ...options(insert),
      onRetry: (_e, attempt) => retries.push(attempt),
    });
    assert.deepEqual(rejected, []);
    assert.deepEqual(retries, [1, 2]);
  });
});

describe('landRows when the block was written before the insert failed', () => {
  const viewError = (): ClickHouseError =>
    new ClickHouseError({
      message: 'Code: 395. DB::Exception: boom is refused. (FUNCTION_THROW_IF_VALUE_IS_NON_ZERO)',
      code: '395',
      type: 'FUNCTION_THROW_IF_VALUE_IS_NON_ZERO',
    });

  /** Like ClickHouse with a view that throws on `boom`: the table keeps the block anyway. */
  function tableWithThrowingView() {
    const rows: string[] = [];
    const insert: RowInserter = async (batch) => {
      rows.push(...texts(batch));
      if (texts(batch).includes('boom')) throw viewError();
    };
    const landedAmong = async (batch: RowLines) =>
      new Set(texts(batch).flatMap((r, i) => (rows.includes(r) ? [i] : [])));
    return { rows, insert, landedAmong };
  }

  test('rows found in the table are neither inserted again nor dead-lettered', async () => {
    const table = tableWithThrowingView();
    const input = ['a', 'b', 'boom', 'c'];
    const seen: number[] = [];
    const rejected = await land(
      input,
      input.map((_, i) => source(i)),
      't:0:0-3',
      {
        ...options(table.insert),
        landedAmong: table.landedAmong,
        onLandedDespiteError: (_err, landed) => seen.push(landed),
      },
    );
    assert.deepEqual(rejected, []);
    assert.deepEqual(table.rows, input, 'each row once');
    assert.deepEqual(seen, [4]);
  });

  test('without the question (as before), the split lands rows twice and dead-letters boom', async () => {
    const table = tableWithThrowingView();
    const input = ['a', 'b', 'boom', 'c'];
    const rejected = await land(
      input,
      input.map((_, i) => source(i)),
      't:0:0-3',
      options(table.insert),
    );
    assert.equal(rejected.length, 1);
    assert.ok(table.rows.length > input.length);
  });

  test('a block that wrote nothing is split as before', async () => {
    const { rows, insert } = fakeTable(new Set(['x']));
    const input = ['a', 'x', 'b'];
    const rejected = await land(
      input,
      input.map((_, i) => source(i)),
      't:0:0-2',
      {
        ...options(insert),
        landedAmong: async (batch) =>
          new Set(texts(batch).flatMap((r, i) => (rows.includes(r) ? [i] : []))),
      },
    );
    assert.deepEqual(
      rejected.map((r) => r.offset),
      ['1'],
    );
    assert.deepEqual(rows.sort(), ['a', 'b']);
  });
});
