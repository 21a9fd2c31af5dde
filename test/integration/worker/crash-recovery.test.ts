import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { landedCounts, testClickHouse, assertLandedExactlyOnce } from '../../support/clickhouse.ts';
import { jsonEvents } from '../../support/events.ts';
import { committedOffsets, logEndOffsets, produce, testKafka } from '../../support/kafka.ts';
import { waitFor } from '../../support/stack-env.ts';
import { startWorkerProcess } from '../../support/worker-process.ts';
import { createWorkerTopics } from '../../support/worker-topics.ts';

describe('worker: crashes and takeovers lose nothing and duplicate nothing', () => {
  const kafka = testKafka();
  const clickhouse = testClickHouse();
  after(() => clickhouse.close());

  async function setUp(name: string, partitions: number) {
    return createWorkerTopics(kafka, name, partitions);
  }

  async function assertExactlyOnce(
    table: string,
    topic: string,
    group: string,
    uuids: string[],
  ): Promise<void> {
    const ends = await logEndOffsets(kafka, topic);
    await assertLandedExactlyOnce(clickhouse, table, uuids);
    const committed = await committedOffsets(kafka, group, topic);
    for (const [p, end] of ends)
      assert.equal(committed.get(p), end, `partition ${p} committed to log end`);
  }

  test('kill -9 between an acknowledged insert and its commit, then restart', async () => {
    const { topic, table, group, env } = await setUp('kill9', 2);
    const { messages, events } = jsonEvents(30_000, 2, 11);
    await produce(kafka, topic, messages);

    // The failpoint SIGKILLs the process right after the 3rd insert was acknowledged.
    const doomed = startWorkerProcess(`kill9-a-${table}`, {
      ...env,
      BATCH_MAX_ROWS: '5000',
      HANZO_INGEST_FAILPOINTS: 'after-insert-before-commit:3',
    });
    assert.equal(await doomed.exited, null, 'killed by SIGKILL');
    assert.match(doomed.log(), /failpoint after-insert-before-commit hit/);
    // Guaranteed however batches were cut (by size, age or the memory budget): the killed
    // batch landed and was not committed, so more rows landed than offsets were committed.
    const landedBeforeRestart = (await landedCounts(clickhouse, table)).rows;
    const committedBeforeRestart = [...(await committedOffsets(kafka, group, topic)).values()]
      .filter((offset) => offset > 0)
      .reduce((a, b) => a + b, 0);
    assert.ok(
      landedBeforeRestart > committedBeforeRestart && committedBeforeRestart < 30_000,
      `killed mid-stream with an acknowledged insert not committed (landed ${landedBeforeRestart}, committed ${committedBeforeRestart})`,
    );

    const survivor = startWorkerProcess(`kill9-b-${table}`, { ...env, BATCH_MAX_ROWS: '5000' });
    try {
      await waitFor(
        async () => {
          const committed = await committedOffsets(kafka, group, topic);
          return [...committed.values()].reduce((a, b) => a + b, 0) === 30_000;
        },
        { timeoutMs: 90_000, what: 'everything committed after restart' },
      );
    } finally {
      survivor.kill('SIGTERM');
      assert.equal(await survivor.exited, 0, survivor.log().slice(-3000));
    }
    await assertExactlyOnce(
      table,
      topic,
      group,
      events.map((e) => e.uuid),
    );
  });

  test('two workers in one group; one is stopped with SIGTERM mid-stream and the other takes over', async () => {
    const { topic, table, group, env } = await setUp('takeover', 6);
    const { messages, events } = jsonEvents(60_000, 6, 13);
    const a = startWorkerProcess(`takeover-a-${table}`, { ...env, BATCH_MAX_ROWS: '4000' });
    const b = startWorkerProcess(`takeover-b-${table}`, { ...env, BATCH_MAX_ROWS: '4000' });
    try {
      await produce(kafka, topic, messages.slice(0, 20_000));
      await waitFor(
        async () => (await landedCounts(clickhouse, table).catch(() => ({ rows: 0 }))).rows > 5_000,
        { timeoutMs: 60_000, what: 'the stream to start landing' },
      );
      const producing = produce(kafka, topic, messages.slice(20_000), 1_000);
      a.kill('SIGTERM');
      assert.equal(await a.exited, 0, `SIGTERM drains and exits 0:\n${a.log().slice(-3000)}`);
      await producing;
      await waitFor(async () => (await landedCounts(clickhouse, table)).rows >= 60_000, {
        timeoutMs: 120_000,
        what: 'all rows through the survivor',
      });
      await waitFor(
        async () => {
          const committed = await committedOffsets(kafka, group, topic);
          return [...committed.values()].reduce((x, y) => x + y, 0) === 60_000;
        },
        { timeoutMs: 60_000, what: 'offsets committed to log end' },
      );
    } finally {
      a.kill('SIGTERM');
      b.kill('SIGTERM');
      assert.equal(await b.exited, 0, b.log().slice(-3000));
    }
    await assertExactlyOnce(
      table,
      topic,
      group,
      events.map((e) => e.uuid),
    );
  });
});
