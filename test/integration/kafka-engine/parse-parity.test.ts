import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import {
  DOCUMENTED_DIFFERENCES,
  compareEventsTables,
  errorClasses,
} from '../../fixtures/kafka-engine/compare-landed.ts';
import { CORPUS_LIMITS, parityCorpus } from '../../fixtures/kafka-engine/parity-corpus.ts';
import {
  assertLandedAlike,
  kafkaEngineTestConfig,
  landInBothModes,
  networksCsvPath,
  placeMessages,
} from '../../fixtures/kafka-engine/land-in-both-modes.ts';
import {
  decodeLikeTheWorker,
  writeGeoCsvLikeTheWorker,
} from '../../fixtures/kafka-engine/worker-reference.ts';
import { queryRows, testClickHouse } from '../../support/clickhouse.ts';
import { createTopics, testKafka } from '../../support/kafka.ts';
import { uniqueName } from '../../support/stack-env.ts';

/**
 * The Kafka-engine views (the real pipeline, fed through its raw table, exactly what the
 * Kafka table's copy view inserts) against the worker's own decoder and enrichment, on the
 * same messages: every row equal in every column but the documented ones, every malformed
 * message in the errors table with the worker's dead-letter class.
 */
/**
 * Documented (docs/kafka-engine.md, what differs between the modes): ClickHouse's JSON parser refuses a
 * number beyond the double range, JavaScript reads it as Infinity and then rejects the field.
 */
const KNOWN_CLASS_DIFFERENCES: Readonly<Record<string, string>> = {
  'poison: timestamp overflowing a double': 'invalid_json',
};

/** Measured shares of rows where both modes agree (docs/kafka-engine.md), minus a margin. */
const USER_AGENT_AGREEMENT_FLOOR: Readonly<Record<string, number>> = {
  browser: 0.9,
  browser_version: 0.9,
  os: 0.95,
  os_version: 0.95,
  device_type: 0.95,
};

describe('kafka-engine views land what the worker lands', () => {
  const clickhouse = testClickHouse();
  after(() => clickhouse.close());

  test('same rows and the same dead-letter classes for an all-cases corpus', async () => {
    const nowMs = Date.now();
    const table = uniqueName('kpar');
    const topic = uniqueName('kpar_topic');
    const csv = networksCsvPath('kpar');
    const config = kafkaEngineTestConfig(table, topic, {
      KAFKA_GROUP_ID: `${topic}_group`,
      DECODE_MAX_MESSAGE_BYTES: String(CORPUS_LIMITS.maxMessageBytes),
      DECODE_MAX_PROPERTIES_BYTES: String(CORPUS_LIMITS.maxPropertiesBytes),
      KAFKA_ENGINE_NUM_CONSUMERS: '1',
      KAFKA_ENGINE_GEO_NETWORKS_FILE: csv,
    });
    const corpus = parityCorpus(600, 11, nowMs);
    const placed = placeMessages(corpus, topic, nowMs - 1_000, 3);
    const networks = await writeGeoCsvLikeTheWorker(config, corpus, csv);
    const reference = await decodeLikeTheWorker(config, placed, nowMs);

    await createTopics(testKafka(), [{ topic, partitions: 3 }]);
    // User agents from the bundled uap-core regexes: apply's default.
    await landInBothModes(
      clickhouse,
      config,
      { placed, workerRows: reference.rows },
      async ({ objects, engineTable, workerTable }) => {
        // Not vacuous: the corpus reaches every feature being compared.
        assert.ok(reference.rows.length > 600, `rows: ${reference.rows.length}`);
        assert.ok(reference.deadLetters.size >= 40, `dead letters: ${reference.deadLetters.size}`);
        assert.ok(networks > 50, `geo networks: ${networks}`);
        const [features] = await queryRows<Record<string, string>>(
          clickhouse,
          `SELECT countIf(cost_source LIKE 'bundled@%') AS priced, countIf(cost_source = 'unknown') AS unknown,
                  countIf(cost_source = 'provided') AS provided, countIf(country_code != '\\0\\0') AS geo,
                  countIf(properties LIKE '%$ip%') AS raw_ip, countIf(utm_source != '') AS utm,
                  countIf(browser != '' OR os != '' OR device_type != '') AS user_agent
           FROM ${engineTable}`,
        );
        assert.ok(Number(features?.['priced']) > 100, JSON.stringify(features));
        assert.ok(Number(features?.['unknown']) >= 2, JSON.stringify(features));
        assert.ok(Number(features?.['provided']) >= 3, JSON.stringify(features));
        assert.ok(Number(features?.['geo']) > 300, JSON.stringify(features));
        assert.equal(Number(features?.['raw_ip']), 0, 'the raw client IP is never stored');
        assert.ok(Number(features?.['utm']) > 20, JSON.stringify(features));
        assert.ok(Number(features?.['user_agent']) > 300, JSON.stringify(features));

        const errors = await errorClasses(clickhouse, objects.errorsTable, topic);
        const labelOf = new Map(placed.map((m) => [`${m.partition}:${m.offset}`, m.label]));
        const expected = [...reference.deadLetters]
          .map(([k, d]) => `${k} ${KNOWN_CLASS_DIFFERENCES[d.label] ?? d.reason} (${d.label})`)
          .sort();
        const actual = [...errors]
          .map(([k, e]) => `${k} ${e.errorClass} (${labelOf.get(k) ?? '?'})`)
          .sort();
        assert.deepEqual(actual, expected);

        const comparison = await compareEventsTables(clickhouse, engineTable, workerTable);
        assertLandedAlike(comparison, reference.rows.length);

        // User agents: uap-core in SQL against ua-parser-js in the worker, per column.
        const agreement = await queryRows<Record<string, number>>(
          clickhouse,
          `SELECT ${DOCUMENTED_DIFFERENCES.filter((c) => c !== '_ingested_at')
            .map((c) => `round(avg(x.${c} = y.${c}), 4) AS ${c}`)
            .join(', ')}, count() AS rows
           FROM ${engineTable} AS x INNER JOIN ${workerTable} AS y
           USING (_topic, _partition, _offset) WHERE y.browser != '' OR y.os != '' OR y.device_type != ''`,
        );
        console.log(`user-agent agreement (share of rows): ${JSON.stringify(agreement[0])}`);
        for (const [column, floor] of Object.entries(USER_AGENT_AGREEMENT_FLOOR)) {
          assert.ok(
            Number(agreement[0]?.[column]) >= floor,
            `${column}: ${JSON.stringify(agreement[0])}`,
          );
        }
      },
    );
  });

  test('broker-time: the broker time stands in only where it is usable, in both modes', async () => {
    const nowMs = Date.now();
    const table = uniqueName('kbroker');
    const topic = uniqueName('kbroker_topic');
    const csv = networksCsvPath('kbroker');
    const config = kafkaEngineTestConfig(table, topic, {
      KAFKA_GROUP_ID: `${topic}_group`,
      KAFKA_ENGINE_NUM_CONSUMERS: '1',
      KAFKA_ENGINE_GEO_NETWORKS_FILE: csv,
      DECODE_TIMESTAMP_SKEW_POLICY: 'broker-time',
      DECODE_MAX_FUTURE_SKEW_MS: '60000',
    });
    const event = (label: string, timestamp: string): { value: Buffer; label: string } => ({
      label,
      value: Buffer.from(
        JSON.stringify({
          team_id: 7,
          event: 'e',
          distinct_id: label,
          timestamp,
          properties: { $ip: '81.2.69.160' },
        }),
      ),
    });
    const future = '2099-01-01T00:00:00Z';
    const placed = [
      [event('future, broker now', future), nowMs - 1_000],
      [event('future, broker at the epoch', future), 0],
      [event('future, broker before 1970', future), -5_000],
      [event('future, broker in the future too', future), nowMs + 30 * 60_000],
      [event('own time', '2026-01-02T03:04:05Z'), nowMs - 1_000],
    ].map(([m, timestampMs], offset) => ({
      ...(m as { value: Buffer; label: string }),
      topic,
      partition: 0,
      offset,
      timestampMs: timestampMs as number,
    }));
    await writeGeoCsvLikeTheWorker(config, placed, csv);
    const reference = await decodeLikeTheWorker(config, placed, nowMs);
    assert.deepEqual(
      [...reference.deadLetters].map(([k, d]) => `${k} ${d.reason}`),
      ['0:2 timestamp_in_future', '0:3 timestamp_in_future'],
    );
    await createTopics(testKafka(), [{ topic, partitions: 1 }]);
    await landInBothModes(
      clickhouse,
      config,
      { placed, workerRows: reference.rows },
      async ({ objects, engineTable, workerTable }) => {
        const errors = await errorClasses(clickhouse, objects.errorsTable, topic);
        assert.deepEqual([...errors].map(([k, e]) => `${k} ${e.errorClass}`).sort(), [
          '0:2 timestamp_in_future',
          '0:3 timestamp_in_future',
        ]);
        // Three rows accepted; the one at the epoch is past the 12-month TTL, which drops it as
        // soon as it is written, in both tables alike.
        assertLandedAlike(await compareEventsTables(clickhouse, engineTable, workerTable), 2);
      },
    );
  });
});
