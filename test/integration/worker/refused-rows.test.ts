/**
 * Rows ClickHouse refuses (here a table CHECK constraint, VIOLATED_CONSTRAINT) are split out
 * and dead-lettered; the batch keeps only rows, so each refused row's message is read again
 * from Kafka for its dead letter, which carries it as it was produced: key, value, headers.
 * A message gone from Kafka by then (DeleteRecords while the insert waited) still gets its
 * dead letter: the row as the insert carried it, a one-row body ClickHouse reads back.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Message } from 'kafkajs';
import { registerCompressionCodecs } from '../../../src/consume/compression/register-compression-codecs.ts';
import { DLQ_HEADERS } from '../../../src/dlq/dead-letter-headers.ts';
import { replayDeadLetters } from '../../../src/dlq/replay-dead-letters.ts';
import {
  assertLandedExactlyOnce,
  createEventsTable,
  landedCounts,
  queryRows,
  testClickHouse,
  tokenTotal,
} from '../../support/clickhouse.ts';
import { jsonEvents, sumTokens } from '../../support/events.ts';
import {
  committedOffsets,
  deleteRecordsBefore,
  headerText,
  logEndOffsets,
  produce,
  readDeadLetters,
  readTopic,
  testKafka,
  waitForCommittedToLogEnd,
} from '../../support/kafka.ts';
import { produceLikeRealProducers } from '../../support/real-producers.ts';
import { waitFor } from '../../support/stack-env.ts';
import { createWorkerTopics } from '../../support/worker-topics.ts';
import {
  runWorkerToLogEnd,
  runWorkerUntil,
  startWorkerProcess,
} from '../../support/worker-process.ts';

// This process reads the zstd batches back too (as the worker does: main.ts).
registerCompressionCodecs();

describe('worker: rows ClickHouse refuses are dead letters carrying their original messages', () => {
  const kafka = testKafka();
  const clickhouse = testClickHouse();
  after(() => clickhouse.close());

  /** An events table that refuses every row whose event is 'boom'. */
  async function refusingTable(table: string): Promise<void> {
    await createEventsTable(clickhouse, table);
    await clickhouse.command({
      query: `ALTER TABLE ${table} ADD CONSTRAINT no_boom CHECK event != 'boom'`,
    });
  }

  /** Every `every`-th event becomes a 'boom' (with a key and headers); the rest must land. */
  function eventsWithBooms(count: number, partitions: number, every: number, seed: number) {
    const { messages, events } = jsonEvents(count, partitions, seed);
    const booms = new Set<number>();
    const out: Message[] = messages.map((m, i) => {
      if (i % every !== every - 1) return m;
      booms.add(i);
      const event = { ...events[i]!, event: 'boom' };
      return {
        ...m,
        key: `boom-key-${i}`,
        value: JSON.stringify(event),
        headers: { 'x-trace': `trace-${i}`, 'x-team': Buffer.from([0, 1, 2, i % 256]) },
      };
    });
    const landing = events.filter((_, i) => !booms.has(i));
    return { messages: out, landing, booms: booms.size };
  }

  test('refused rows across several batches and partitions: each dead letter is its message as produced, every other event lands once', async () => {
    const { topic, dlq, table, group, env } = await createWorkerTopics(kafka, 'refused', 2);
    await refusingTable(table);
    const { messages, landing, booms } = eventsWithBooms(1_200, 2, 50, 41);
    await produce(kafka, topic, messages);

    await runWorkerToLogEnd(kafka, `refused-${table}`, {
      ...env,
      KAFKA_GROUP_ID: group,
      KAFKA_TOPICS: topic,
      BATCH_MAX_ROWS: '200',
    });

    await assertLandedExactlyOnce(
      clickhouse,
      table,
      landing.map((e) => e.uuid),
    );
    assert.equal(await tokenTotal(clickhouse, table), sumTokens(landing));
    // The source topic as produced: what each dead letter must carry.
    const produced = new Map(
      (await readTopic(kafka, topic)).map((m) => [`${m.partition}:${m.offset}`, m]),
    );
    const dead = await readDeadLetters(kafka, dlq);
    assert.equal(dead.length, booms);
    for (const letter of dead) {
      const where = `${headerText(letter.headers, DLQ_HEADERS.sourcePartition)}:${headerText(letter.headers, DLQ_HEADERS.sourceOffset)}`;
      const original = produced.get(where);
      assert.ok(original, `dead letter of ${where}: a message of the topic`);
      assert.equal(headerText(letter.headers, DLQ_HEADERS.errorClass), 'rejected_by_clickhouse');
      assert.match(headerText(letter.headers, DLQ_HEADERS.errorMessage) ?? '', /no_boom/);
      assert.equal(headerText(letter.headers, DLQ_HEADERS.rowFormat), undefined);
      assert.deepEqual(letter.key, original.key, `${where}: key`);
      assert.deepEqual(letter.value, original.value, `${where}: value`);
      assert.equal(headerText(letter.headers, 'x-trace'), headerText(original.headers, 'x-trace'));
      assert.deepEqual(letter.headers['x-team'], original.headers['x-team']);
      assert.equal(
        (JSON.parse(letter.value?.toString() ?? '{}') as { event?: string }).event,
        'boom',
      );
    }
    const replay = await replayDeadLetters({
      kafka,
      dlqTopic: dlq,
      filter: { reasons: [] },
      dryRun: true,
    });
    assert.deepEqual([replay.replayed, replay.skippedRows], [booms, []], 'replayable as produced');
    const ends = await logEndOffsets(kafka, topic);
    const committed = await committedOffsets(kafka, group, topic);
    for (const [p, end] of ends) assert.equal(committed.get(p), end, `partition ${p} at log end`);
  });

  test("refused rows from real producers' batches: zstd from Kafka's Java producer, kafkajs transactions (one aborted): each read again as produced", async () => {
    const { topic, dlq, table, group, env } = await createWorkerTopics(kafka, 'refused_codec', 2);
    await refusingTable(table);
    const { events } = jsonEvents(600, 1, 47);
    const boom = (i: number): boolean => i % 50 === 49;
    const lines = events.map((e, i) => JSON.stringify(boom(i) ? { ...e, event: 'boom' } : e));
    // Partition 0: zstd batches from Kafka's Java producer; partition 1: three transactions
    // of 100, the middle one aborted (its events never count).
    const { committed: counted } = await produceLikeRealProducers(kafka, topic, lines);

    // Partition 1's log ends with a transaction's commit marker, which no consumer is handed:
    // once its last batch landed, the worker commits past the marker too (the log's end).
    const afterLastMessage = new Map<number, number>();
    for (const m of await readTopic(kafka, topic)) {
      afterLastMessage.set(
        m.partition,
        Math.max(afterLastMessage.get(m.partition) ?? 0, Number(m.offset) + 1),
      );
    }
    const logEnd = await logEndOffsets(kafka, topic);
    assert.equal(logEnd.get(1), (afterLastMessage.get(1) ?? 0) + 1);
    await runWorkerUntil(`refused-codec-${table}`, { ...env, BATCH_MAX_ROWS: '120' }, () =>
      waitForCommittedToLogEnd(kafka, group, topic, 90_000),
    );

    await assertLandedExactlyOnce(
      clickhouse,
      table,
      events.filter((_, i) => counted(i) && !boom(i)).map((e) => e.uuid),
    );
    const dead = await readDeadLetters(kafka, dlq);
    const expected = lines.filter((_, i) => counted(i) && boom(i)).sort();
    assert.deepEqual(dead.map((d) => d.value?.toString() ?? '').sort(), expected);
    assert.ok(
      dead.every(
        (d) =>
          headerText(d.headers, DLQ_HEADERS.errorClass) === 'rejected_by_clickhouse' &&
          headerText(d.headers, DLQ_HEADERS.rowFormat) === undefined,
      ),
    );
  });

  test('a refused row whose message was deleted from Kafka while its insert waited: its dead letter is the row, a body ClickHouse reads back', async () => {
    const { topic, dlq, table, group, env } = await createWorkerTopics(kafka, 'refused_gone', 1);
    await refusingTable(table);
    const { messages, landing, booms } = eventsWithBooms(300, 1, 100, 43);
    assert.equal(booms, 3);
    const worker = startWorkerProcess(`refused-gone-${table}`, {
      ...env,
      SHUTDOWN_TIMEOUT_MS: '2000',
    });
    try {
      // The first 50 land; then the table is away (inserts wait, retried), the rest arrives.
      await produce(kafka, topic, messages.slice(0, 50));
      await waitForCommittedToLogEnd(kafka, group, topic, 60_000);
      await clickhouse.command({ query: `RENAME TABLE ${table} TO ${table}_away` });
      await produce(kafka, topic, messages.slice(50));
      // Long enough for the worker to take the messages and try the insert (retry max 2 s).
      await sleep(6_000);
      assert.equal((await committedOffsets(kafka, group, topic)).get(0), 50);
      // Retention passes the waiting batch: none of its messages is in Kafka any more.
      await deleteRecordsBefore(kafka, topic, 0, 300);
      await clickhouse.command({ query: `RENAME TABLE ${table}_away TO ${table}` });
      await waitForCommittedToLogEnd(kafka, group, topic, 60_000);
    } finally {
      worker.kill('SIGTERM');
      assert.equal(await worker.exited, 0, worker.log().slice(-3000));
    }

    await assertLandedExactlyOnce(
      clickhouse,
      table,
      landing.map((e) => e.uuid),
    );
    const dead = await readDeadLetters(kafka, dlq);
    assert.deepEqual(
      dead.map((d) => [
        headerText(d.headers, DLQ_HEADERS.sourceOffset),
        headerText(d.headers, DLQ_HEADERS.errorClass),
        headerText(d.headers, DLQ_HEADERS.rowFormat),
      ]),
      [
        ['99', 'rejected_by_clickhouse', 'RowBinaryWithNamesAndTypes'],
        ['199', 'rejected_by_clickhouse', 'RowBinaryWithNamesAndTypes'],
        ['299', 'rejected_by_clickhouse', 'RowBinaryWithNamesAndTypes'],
      ],
    );
    // Each value is a one-row insert body: ClickHouse reads it back into the same table's
    // columns (a copy without the constraint), the refused event's uuid and all.
    await clickhouse.command({
      query: `CREATE TABLE ${table}_letters AS ${table}`,
    });
    await clickhouse.command({ query: `ALTER TABLE ${table}_letters DROP CONSTRAINT no_boom` });
    for (const d of dead) {
      const result = await clickhouse.exec({
        query: `INSERT INTO ${table}_letters FORMAT RowBinaryWithNamesAndTypes`,
        values: Readable.from([d.value ?? Buffer.alloc(0)], { objectMode: false }),
      });
      await text(result.stream);
    }
    const back = await queryRows<{ uuid: string; event: string }>(
      clickhouse,
      `SELECT toString(uuid) AS uuid, event FROM ${table}_letters ORDER BY timestamp, uuid`,
    );
    const expected = messages
      .filter((_, i) => i % 100 === 99)
      .map((m) => JSON.parse(String(m.value)) as { uuid: string });
    assert.deepEqual(
      back.map((r) => [r.uuid, r.event]).sort(),
      expected.map((e) => [e.uuid, 'boom']).sort(),
    );
    assert.equal((await landedCounts(clickhouse, table)).rows, landing.length);
    // Not the events as produced: replay leaves them, naming each.
    const replay = await replayDeadLetters({
      kafka,
      dlqTopic: dlq,
      filter: { reasons: [] },
      dryRun: true,
    });
    assert.equal(replay.replayed, 0);
    assert.deepEqual(
      [...replay.skippedRows].sort(),
      [99, 199, 299].map((o) => `${topic}:0:${o}`).sort(),
    );
    await waitFor(async () => (await committedOffsets(kafka, group, topic)).get(0) === 300, {
      timeoutMs: 10_000,
      what: 'committed to the end',
    });
  });
});
