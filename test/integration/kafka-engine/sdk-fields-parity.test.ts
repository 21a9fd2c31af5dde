import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { EVENT_COLUMNS_FROM_KAFKA } from '../../../src/kafka-engine/pipeline-columns.ts';
import { SDK_PAYLOADS } from '../../fixtures/enrich/sdk-payloads.ts';
import { compareEventsTables, errorClasses } from '../../fixtures/kafka-engine/compare-landed.ts';
import type { CorpusMessage } from '../../fixtures/kafka-engine/parity-corpus.ts';
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
 * Issue 17 in both modes: the SDK payloads (posthog-js, posthog-ios, posthog-node with
 * $geoip_disable, unknown and clashing top-level fields) through the Kafka-engine views and
 * through the worker's decoder and enrichment land the same rows, every column compared —
 * the device columns too, since these events' SDK values are complete or there is no user
 * agent (the one documented difference, user-agent parsing, does not arise).
 */
function corpus(nowMs: number): CorpusMessage[] {
  const recent = (e: object, i: number): Record<string, unknown> => ({
    ...e,
    timestamp: new Date(nowMs - 60_000 + i * 1000).toISOString(),
  });
  const events: [string, unknown][] = [
    ...Object.entries(SDK_PAYLOADS),
    [
      'geo switch as a string, properties as text',
      {
        ...SDK_PAYLOADS.posthogIosEvent,
        uuid: undefined,
        properties: JSON.stringify({
          ...SDK_PAYLOADS.posthogIosEvent.properties,
          $geoip_disable: 'true',
        }),
      },
    ],
    [
      'geo switch off by word',
      {
        ...SDK_PAYLOADS.posthogIosEvent,
        uuid: undefined,
        properties: { ...SDK_PAYLOADS.posthogIosEvent.properties, $geoip_disable: 'false' },
      },
    ],
    [
      'clash with a producer-sent $unknown_fields (dead letter)',
      { ...SDK_PAYLOADS.clashingEvent, properties: { plan: 'free', $unknown_fields: {} } },
    ],
    [
      'only $host and $pathname, no URL',
      {
        ...SDK_PAYLOADS.handWrittenEvent,
        properties: { $host: 'app.hanzo.ai', $pathname: '/settings', utm_source: 'mail' },
      },
    ],
    [
      'clashing prompt and IP: scrubbed from $unknown_fields too',
      {
        ...SDK_PAYLOADS.clashingEvent,
        prompt: 'SECRET',
        $ip: '81.2.69.160',
        properties: { plan: 'free', prompt: 'p', $ip: '81.2.69.142' },
      },
    ],
    [
      'clashing IP under the geo switch',
      {
        ...SDK_PAYLOADS.clashingEvent,
        $ip: '81.2.69.160',
        properties: { plan: 'free', $ip: '81.2.69.142', $geoip_disable: true },
      },
    ],
  ];
  return events.map(([label, e], i) => ({
    label,
    value: Buffer.from(JSON.stringify(recent(e as object, i))),
  }));
}

describe('SDK fields: both modes land the same rows', () => {
  const clickhouse = testClickHouse();
  after(() => clickhouse.close());

  for (const keepRawIp of [false, true]) {
    test(`posthog-js, mobile and server payloads, unknown fields (ENRICH_KEEP_RAW_IP=${keepRawIp})`, async () => {
      const nowMs = Date.now();
      const table = uniqueName('ksdk');
      const topic = uniqueName('ksdk_topic');
      const csv = networksCsvPath('ksdk');
      const config = kafkaEngineTestConfig(table, topic, {
        KAFKA_GROUP_ID: `${topic}_group`,
        KAFKA_ENGINE_NUM_CONSUMERS: '1',
        KAFKA_ENGINE_GEO_NETWORKS_FILE: csv,
        ENRICH_KEEP_RAW_IP: String(keepRawIp),
      });
      const messages = corpus(nowMs);
      const placed = placeMessages(messages, topic, nowMs - 1_000);
      const networks = await writeGeoCsvLikeTheWorker(config, messages, csv);
      assert.ok(networks >= 1);
      const reference = await decodeLikeTheWorker(config, placed, nowMs);
      await createTopics(testKafka(), [{ topic, partitions: 1 }]);
      await landInBothModes(
        clickhouse,
        config,
        { placed, workerRows: reference.rows },
        async ({ objects, engineTable, workerTable }) => {
          assert.equal(reference.rows.length, messages.length - 1);
          const errors = await errorClasses(clickhouse, objects.errorsTable, topic);
          assert.deepEqual(
            [...errors].map(([k, e]) => `${k} ${e.errorClass} ${e.error}`),
            [...reference.deadLetters].map(([k, d]) => `${k} ${d.reason} ${d.message}`),
          );
          const comparison = await compareEventsTables(
            clickhouse,
            engineTable,
            workerTable,
            EVENT_COLUMNS_FROM_KAFKA.filter((c) => c !== '_ingested_at'),
          );
          assertLandedAlike(comparison, reference.rows.length);

          // Not vacuous: what the rows hold.
          const rows = await queryRows<Record<string, string>>(
            clickhouse,
            `SELECT _offset, browser, os, os_version, device_type, country_code != '\\0\\0' AS located,
                    position(properties, '"$ip"') > 0 AS has_ip, JSONExtractString(properties, 'plan') AS plan,
                    JSONExtractString(properties, '$unknown_fields', 'plan') AS clashed, host, pathname
             FROM ${engineTable} ORDER BY _offset`,
          );
          const at = (offset: number): Record<string, string> | undefined =>
            rows.find((r) => Number(r['_offset']) === offset);
          assert.deepEqual(
            [at(0)?.['browser'], at(0)?.['os'], at(0)?.['device_type'], at(0)?.['located']].map(
              String,
            ),
            ['Chrome', 'Mac OS X', 'desktop', '1'],
          );
          assert.deepEqual(
            [at(1)?.['os'], at(1)?.['os_version'], at(1)?.['device_type']],
            ['iOS', '18.1', 'mobile'],
          );
          assert.deepEqual(
            [at(2)?.['located'], at(2)?.['has_ip']].map(Number),
            [0, 0],
            'posthog-node: $geoip_disable',
          );
          assert.equal(Number(at(1)?.['has_ip']), keepRawIp ? 1 : 0);
          assert.equal(at(3)?.['plan'], 'pro', 'unknown top-level field folded');
          assert.deepEqual([at(4)?.['plan'], at(4)?.['clashed']], ['free', 'pro']);
          assert.equal(Number(at(5)?.['located']), 0, '"true" switches geo off');
          assert.equal(Number(at(6)?.['located']), 1, '"false" does not');
          assert.deepEqual([at(8)?.['host'], at(8)?.['pathname']], ['app.hanzo.ai', '/settings']);
          // A clashing prompt never stored; a clashing IP only as a property IP would be.
          const clashed = await queryRows<{ properties: string }>(
            clickhouse,
            `SELECT properties FROM ${engineTable} WHERE _offset IN (9, 10) ORDER BY _offset`,
          );
          assert.deepEqual(
            clashed.map(
              (r) => (JSON.parse(r.properties) as Record<string, unknown>)['$unknown_fields'],
            ),
            [keepRawIp ? { plan: 'pro', $ip: '81.2.69.160' } : { plan: 'pro' }, { plan: 'pro' }],
          );
        },
      );
    });
  }
});
