/**
 * Kafka record headers no producer is stopped from sending, on the real broker: a null value
 * (Kafka's console producer), names that are Object.prototype members, 25,000 distinct names.
 * On dead-lettered messages and on good ones, between good events on two partitions: every
 * good event lands once, each dead letter keeps its original headers, nothing stops.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { IHeaders } from 'kafkajs';
import { DLQ_HEADERS } from '../../../src/dlq/dead-letter-headers.ts';
import { assertLandedExactlyOnce, testClickHouse } from '../../support/clickhouse.ts';
import { jsonEvents } from '../../support/events.ts';
import {
  committedOffsets,
  headerText,
  logEndOffsets,
  produce,
  readDeadLetters,
  testKafka,
} from '../../support/kafka.ts';
import { runKafkaTool } from '../../support/kafka-tool.ts';
import { testStack } from '../../support/stack-env.ts';
import { createWorkerTopics } from '../../support/worker-topics.ts';
import { runWorkerToLogEnd } from '../../support/worker-process.ts';

const BROKEN = '{"team_id":1,"event":';

describe('worker: no record header stops a partition', () => {
  const kafka = testKafka();
  const clickhouse = testClickHouse();
  after(() => clickhouse.close());

  test('null values, __proto__ and constructor names, 25,000 names: on dead letters and on good events', async () => {
    const { topic, dlq, table, group, env } = await createWorkerTopics(kafka, 'headers', 2);
    const { messages: good, events } = jsonEvents(24, 2, 71);
    const [withManyHeaders, withOddNames, withNull] = events.slice(21) as [
      (typeof events)[0],
      (typeof events)[0],
      (typeof events)[0],
    ];
    const oddNames: IHeaders = { ['__proto__']: 'p', constructor: 'c', 'x-trace': 'abc' };
    const many: IHeaders = Object.fromEntries(
      Array.from({ length: 25_000 }, (_, i) => [`k${i}`, 'v']),
    );
    await produce(kafka, topic, good.slice(0, 10));
    await produce(kafka, topic, [
      { partition: 0, key: 'dead-odd', value: BROKEN, headers: oddNames },
      { partition: 0, value: JSON.stringify(withOddNames), headers: oddNames },
      { partition: 1, value: JSON.stringify(withManyHeaders), headers: many },
    ]);
    // Null header values: Kafka's own console producer (kafkajs's cannot send them).
    const line = (key: string, value: string): string =>
      `x-null:<NULL>,x-trace:abc\t${key}\t${value}\n`;
    await runKafkaTool(
      'org.apache.kafka.tools.ConsoleProducer',
      [
        '--bootstrap-server',
        testStack().brokers.join(','),
        '--topic',
        topic,
        '--reader-property',
        'parse.headers=true',
        '--reader-property',
        'parse.key=true',
        '--reader-property',
        'null.marker=<NULL>',
        '--reader-property',
        'headers.key.separator=:',
        '--reader-property',
        'headers.separator=,',
      ],
      { stdin: line('dead-null', BROKEN) + line('good-null', JSON.stringify(withNull)) },
    );
    await produce(kafka, topic, good.slice(10, 21));

    await runWorkerToLogEnd(kafka, `headers-${table}`, env, 90_000);
    await assertLandedExactlyOnce(
      clickhouse,
      table,
      events.map((e) => e.uuid),
    );
    const dead = await readDeadLetters(kafka, dlq);
    const byKey = new Map(dead.map((d) => [d.key?.toString(), d]));
    assert.deepEqual([...byKey.keys()].sort(), ['dead-null', 'dead-odd']);
    for (const d of dead)
      assert.equal(headerText(d.headers, DLQ_HEADERS.errorClass), 'invalid_json');
    const odd = byKey.get('dead-odd')!.headers;
    assert.deepEqual(
      ['__proto__', 'constructor', 'x-trace'].map((name) => [
        Object.hasOwn(odd, name),
        headerText(odd, name),
      ]),
      [
        [true, 'p'],
        [true, 'c'],
        [true, 'abc'],
      ],
    );
    // kafkajs's producer cannot write a null header value: kept empty, and named.
    const withNullHeader = byKey.get('dead-null')!.headers;
    assert.equal(headerText(withNullHeader, 'x-null'), '');
    assert.equal(headerText(withNullHeader, DLQ_HEADERS.nullHeaders), '["x-null"]');
    assert.equal(headerText(withNullHeader, 'x-trace'), 'abc');
    assert.deepEqual(
      await committedOffsets(kafka, group, topic),
      await logEndOffsets(kafka, topic),
    );
  });
});
