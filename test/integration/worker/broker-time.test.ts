/**
 * DECODE_TIMESTAMP_SKEW_POLICY=broker-time on the real broker: a future event timestamp is
 * replaced by the record's Kafka timestamp only when that one is a time an event may carry;
 * a record without one (-1, as old producers send) is a dead letter, never a row from 1969.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { DLQ_HEADERS } from '../../../src/dlq/dead-letter-headers.ts';
import { assertLandedExactlyOnce, queryRows, testClickHouse } from '../../support/clickhouse.ts';
import { jsonEvents } from '../../support/events.ts';
import {
  committedOffsets,
  headerText,
  logEndOffsets,
  produce,
  readDeadLetters,
  testKafka,
} from '../../support/kafka.ts';
import { createWorkerTopics } from '../../support/worker-topics.ts';
import { runWorkerToLogEnd } from '../../support/worker-process.ts';

describe('worker: broker time stands in for a future timestamp only when it is usable', () => {
  const kafka = testKafka();
  const clickhouse = testClickHouse();
  after(() => clickhouse.close());

  test('records with no broker timestamp, a usable one and a future one', async () => {
    const { topic, dlq, table, group, env } = await createWorkerTopics(kafka, 'broker_time', 1);
    const { events } = jsonEvents(4, 1, 53);
    const [noTime, brokerNow, brokerFuture, plain] = events as [
      (typeof events)[0],
      (typeof events)[0],
      (typeof events)[0],
      (typeof events)[0],
    ];
    const inFuture = (e: (typeof events)[0]) =>
      JSON.stringify({ ...e, timestamp: '2099-01-01T00:00:00Z' });
    const nowMs = Date.now();
    await produce(kafka, topic, [
      { partition: 0, value: inFuture(noTime), timestamp: '-1' },
      { partition: 0, value: inFuture(brokerNow), timestamp: String(nowMs) },
      { partition: 0, value: inFuture(brokerFuture), timestamp: String(nowMs + 30 * 60_000) },
      { partition: 0, value: JSON.stringify(plain) },
    ]);
    await runWorkerToLogEnd(
      kafka,
      `broker-time-${table}`,
      {
        ...env,
        DECODE_TIMESTAMP_SKEW_POLICY: 'broker-time',
        DECODE_MAX_FUTURE_SKEW_MS: '60000',
      },
      60_000,
    );
    await assertLandedExactlyOnce(clickhouse, table, [brokerNow.uuid, plain.uuid]);
    const [row] = await queryRows<{ ms: string }>(
      clickhouse,
      `SELECT toUnixTimestamp64Milli(timestamp) AS ms FROM ${table} WHERE uuid = '${brokerNow.uuid}'`,
    );
    assert.equal(Number(row?.ms), nowMs);
    const dead = await readDeadLetters(kafka, dlq);
    assert.deepEqual(
      dead.map((d) => [
        headerText(d.headers, DLQ_HEADERS.sourceOffset),
        headerText(d.headers, DLQ_HEADERS.errorClass),
      ]),
      [
        ['0', 'timestamp_in_future'],
        ['2', 'timestamp_in_future'],
      ],
    );
    assert.match(
      headerText(dead[0]!.headers, DLQ_HEADERS.errorMessage) ?? '',
      /no broker timestamp/,
    );
    assert.match(
      headerText(dead[1]!.headers, DLQ_HEADERS.errorMessage) ?? '',
      /broker timestamp is \d+ s in the future/,
    );
    assert.deepEqual(
      await committedOffsets(kafka, group, topic),
      await logEndOffsets(kafka, topic),
    );
  });
});
