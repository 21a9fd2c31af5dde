/**
 * On the real stack: a top-level field that clashes with a property is held to the privacy
 * rules in `properties.$unknown_fields` (no prompt, no raw IP stored), and a numeric id beyond
 * 2^53 is a dead letter rather than a different id (two users would become one).
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

describe('worker: clashing fields keep the privacy rules; big numeric ids are refused', () => {
  const kafka = testKafka();
  const clickhouse = testClickHouse();
  after(() => clickhouse.close());

  test('a clashing prompt and IP are not stored; ids beyond 2^53 are wrong_type dead letters', async () => {
    const { topic, dlq, table, group, env } = await createWorkerTopics(kafka, 'clash_ids', 1);
    const { messages, events } = jsonEvents(10, 1, 97);
    const [clashing, clashingSwitchedOff] = events.slice(0, 2) as [
      (typeof events)[0],
      (typeof events)[0],
    ];
    const text = (e: object): string => JSON.stringify(e);
    await produce(kafka, topic, [
      ...messages.slice(2, 6),
      {
        partition: 0,
        value: text({
          ...clashing,
          prompt: 'SECRET-PROMPT',
          $ip: '81.2.69.160',
          properties: { ...clashing.properties, prompt: 'p', $ip: '81.2.69.142' },
        }),
      },
      {
        partition: 0,
        value: text({
          ...clashingSwitchedOff,
          $ip: '81.2.69.160',
          properties: {
            ...clashingSwitchedOff.properties,
            $ip: '81.2.69.142',
            $geoip_disable: true,
          },
        }),
      },
      // The same user twice beyond 2^53 (…890 and …891 would both read …7000): both refused.
      {
        partition: 0,
        key: 'big-1',
        value: text({ ...events[6], distinct_id: '__BIG__' }).replace(
          '"__BIG__"',
          '12345678901234567890',
        ),
      },
      {
        partition: 0,
        key: 'big-2',
        value: text({ ...events[7], distinct_id: '__BIG__' }).replace(
          '"__BIG__"',
          '12345678901234567891',
        ),
      },
      ...messages.slice(8),
    ]);
    await runWorkerToLogEnd(kafka, `clash-ids-${table}`, env, 60_000);

    const landed = [...events.slice(0, 6), ...events.slice(8)];
    await assertLandedExactlyOnce(
      clickhouse,
      table,
      landed.map((e) => e.uuid),
    );
    const stored = await queryRows<{ properties: string }>(
      clickhouse,
      `SELECT properties FROM ${table} WHERE uuid IN ('${clashing.uuid}', '${clashingSwitchedOff.uuid}')`,
    );
    assert.equal(stored.length, 2);
    for (const { properties } of stored) {
      assert.doesNotMatch(properties, /SECRET-PROMPT|81\.2\.69\.1[46]/);
      assert.ok(properties.includes('"$unknown_fields":{}'), properties);
    }
    const dead = await readDeadLetters(kafka, dlq);
    assert.deepEqual(
      dead.map((d) => [d.key?.toString(), headerText(d.headers, DLQ_HEADERS.errorClass)]).sort(),
      [
        ['big-1', 'wrong_type'],
        ['big-2', 'wrong_type'],
      ],
    );
    assert.match(headerText(dead[0]!.headers, DLQ_HEADERS.errorMessage) ?? '', /beyond 2\^53/);
    assert.deepEqual(
      await committedOffsets(kafka, group, topic),
      await logEndOffsets(kafka, topic),
    );
  });
});
