import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import {
  classifyInsertError,
  type InsertFailureClass,
} from '../../../src/sink/classify-insert-error.ts';
import { insertRows, type InsertTarget } from '../../../src/sink/insert-rows.ts';
import { freePort } from '../../stack/process/free-port.ts';
import { eventRow, jsonLines } from '../../fixtures/schema/known-events.ts';
import { createEventsTable, queryRows, testClickHouse } from '../../support/clickhouse.ts';
import { testStack, uniqueName } from '../../support/stack-env.ts';
import { RowLines } from '../../../src/batch/row-lines.ts';
import { JSON_COMPACT_ROWS } from '../../../src/serialise/row-format.ts';

/** How the real server's refusal of these rows is classed (undefined: it was accepted). */
async function failureClass(
  target: InsertTarget,
  lines: readonly string[],
): Promise<InsertFailureClass | undefined> {
  try {
    await insertRows(target, RowLines.of(lines), uniqueName('token'));
    return undefined;
  } catch (err) {
    return classifyInsertError(err);
  }
}

/** One row in each of `months` months, back from this one (recent rows: TTL keeps them). */
const monthly = (months: number) => {
  const now = new Date();
  return jsonLines(
    Array.from({ length: months }, (_, i) =>
      eventRow({
        team_id: 1,
        distinct_id: 'd',
        event: 'e',
        at: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - i, 1, 12)),
      }),
    ),
  );
};

describe('sink: every class of ClickHouse failure, as the real server reports it', () => {
  const client = testClickHouse();
  const table = uniqueName('classes');
  const target: InsertTarget = { client, database: 'default', table, format: JSON_COMPACT_ROWS };
  before(() => createEventsTable(client, table));
  after(() => client.close());

  test('rows that fit: accepted', async () => {
    assert.equal(await failureClass(target, monthly(3)), undefined);
  });

  test('a row ClickHouse cannot parse: bad-data', async () => {
    const [line] = monthly(1);
    assert.equal(
      await failureClass(target, [line!.replace(/^\["[^"]+"/, '["not-a-uuid"')]),
      'bad-data',
    );
  });

  test('more months than max_partitions_per_insert_block in one block: block-too-large', async () => {
    assert.equal(await failureClass(target, monthly(101)), 'block-too-large', 'server default 100');
    const strict = { ...target, maxPartitionsPerBlock: 5 };
    assert.equal(
      await failureClass(strict, monthly(6)),
      'block-too-large',
      'the worker’s limit is sent',
    );
    assert.equal(await failureClass(strict, monthly(5)), undefined);
  });

  test('a materialized view that throws on a row: bad-data', async () => {
    const mvTable = uniqueName('mv_target');
    await client.command({
      query: `CREATE TABLE ${mvTable} (n UInt8) ENGINE = MergeTree ORDER BY n`,
    });
    await client.command({
      query: `CREATE MATERIALIZED VIEW ${mvTable}_mv TO ${mvTable} AS SELECT throwIf(event = 'boom', 'boom is refused') AS n FROM ${table}`,
    });
    try {
      const boom = jsonLines([
        eventRow({ team_id: 1, distinct_id: 'd', event: 'boom', at: new Date() }),
      ]);
      assert.equal(await failureClass(target, boom), 'bad-data');
    } finally {
      await client.command({ query: `DROP VIEW ${mvTable}_mv` });
    }
  });

  test('a missing table and a refused password: configuration', async () => {
    assert.equal(
      await failureClass({ ...target, table: uniqueName('missing') }, monthly(1)),
      'configuration',
    );
    const { url, username } = testStack().clickhouse;
    const wrong = createClient({
      url,
      username,
      password: 'wrong-password',
      log: { level: ClickHouseLogLevel.OFF },
    });
    try {
      assert.equal(await failureClass({ ...target, client: wrong }, monthly(1)), 'configuration');
    } finally {
      await wrong.close();
    }
  });

  test('nobody listening: transient', async () => {
    const port = await freePort();
    const gone = createClient({
      url: `http://127.0.0.1:${port}`,
      log: { level: ClickHouseLogLevel.OFF },
    });
    try {
      assert.equal(await failureClass({ ...target, client: gone }, monthly(1)), 'transient');
    } finally {
      await gone.close();
    }
  });

  test('only the accepted inserts landed (3 + 5 rows): no refused block left rows behind', async () => {
    // The row a materialized view refused is not counted: ClickHouse wrote it to the table
    // before the view threw (a refusal after the write; see docs/reliability.md, Guarantees).
    const [row] = await queryRows<{ n: string }>(
      client,
      `SELECT count() AS n FROM ${table} WHERE event != 'boom'`,
    );
    assert.equal(Number(row?.n), 8);
  });
});
