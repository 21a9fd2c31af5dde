import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { createEventsTableSql } from '../../../src/schema/events-table.ts';
import { queryRows, testClickHouse } from '../../support/clickhouse.ts';
import { jsonEvents } from '../../support/events.ts';
import {
  committedOffsets,
  produce,
  testKafka,
  waitForCommittedToLogEnd,
} from '../../support/kafka.ts';
import { startWorkerProcess } from '../../support/worker-process.ts';
import { createWorkerTopics } from '../../support/worker-topics.ts';

describe('worker: a retry after the deduplication window moved on', () => {
  const kafka = testKafka();
  const clickhouse = testClickHouse();
  after(() => clickhouse.close());

  test('a pending range re-formed after other blocks pushed its token out lands no duplicate', async () => {
    const topics = await createWorkerTopics(kafka, 'window', 1);
    const { topic, table, group } = topics;
    // The table remembers only its last 2 blocks.
    for (const query of createEventsTableSql({
      database: 'default',
      table,
      deduplicationWindow: 2,
    })) {
      await clickhouse.command({ query });
    }
    const { messages } = jsonEvents(3_000, 1, 43);
    await produce(kafka, topic, messages, 500);
    const env = {
      ...topics.env,
      BATCH_MAX_ROWS: '1000',
      INSERT_MAX_PARTITIONS_PER_BLOCK: '1',
    };

    const doomed = startWorkerProcess(`window-a-${table}`, {
      ...env,
      HANZO_INGEST_FAILPOINTS: 'after-insert-before-commit:1',
    });
    assert.equal(await doomed.exited, null, 'killed by SIGKILL');
    const landedBefore = await ours(table, topic);
    assert.ok(landedBefore.rows > 0, 'the first batch landed');
    assert.equal((await committedOffsets(kafka, group, topic)).get(0), 0, 'and was not committed');

    // Other writers fill the window: three more inserts (blocks) of rows not ours, each
    // with its own token, as another pipeline would write them.
    const sample = await queryRows<Record<string, unknown>>(
      clickhouse,
      `SELECT * FROM ${table} WHERE _topic = {topic:String} LIMIT 10`,
      { topic },
    );
    for (let i = 0; i < 3; i++) {
      await clickhouse.insert({
        table,
        values: sample.map((row) => ({ ...row, _topic: 'elsewhere', uuid: randomUUID() })),
        format: 'JSONEachRow',
        clickhouse_settings: { insert_deduplication_token: `elsewhere-${table}-${i}` },
      });
    }
    assert.equal((await ours(table, 'elsewhere')).rows, 30, 'three blocks written by others');

    const survivor = startWorkerProcess(`window-b-${table}`, env);
    try {
      await waitForCommittedToLogEnd(kafka, group, topic, 90_000);
    } finally {
      survivor.kill('SIGTERM');
      assert.equal(await survivor.exited, 0, survivor.log().slice(-3000));
    }
    assert.deepEqual(await ours(table, topic), { rows: 3_000, unique: 3_000 });
  });

  async function ours(table: string, topic: string): Promise<{ rows: number; unique: number }> {
    const [row] = await queryRows<{ rows: string; unique: string }>(
      clickhouse,
      `SELECT count() AS rows, uniqExact(uuid) AS unique FROM ${table} WHERE _topic = {topic:String}`,
      { topic },
    );
    return { rows: Number(row?.rows ?? 0), unique: Number(row?.unique ?? 0) };
  }
});
