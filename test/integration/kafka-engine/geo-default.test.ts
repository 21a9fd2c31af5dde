import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { loadConfig } from '../../../src/config/load-config.ts';
import {
  applyKafkaEngine,
  dropKafkaEnginePipeline,
} from '../../../src/kafka-engine/apply-kafka-engine.ts';
import { kafkaEngineObjects } from '../../../src/kafka-engine/object-names.ts';
import { kafkaEngineOptions } from '../../../src/kafka-engine/options.ts';
import { createEventsTableSql } from '../../../src/schema/events-table.ts';
import {
  compareEventsTables,
  insertRawMessages,
} from '../../fixtures/kafka-engine/compare-landed.ts';
import { CORPUS_LIMITS, parityCorpus } from '../../fixtures/kafka-engine/parity-corpus.ts';
import { decodeLikeTheWorker, type Placed } from '../../fixtures/kafka-engine/worker-reference.ts';
import { queryRows, testClickHouse } from '../../support/clickhouse.ts';
import { testStack, uniqueName } from '../../support/stack-env.ts';

/**
 * Geo with no networks file: the apply generates the ip_trie data from the worker's own
 * bundled DB-IP databases (IPv4 and IPv6), and the views answer what the worker answers for
 * every client IP of the corpus. Loads the full data set (about 13.7 million networks): the
 * slowest test of the Kafka-engine suite, by design — it is the default configuration.
 */
describe('kafka-engine mode has geo by default', () => {
  const clickhouse = testClickHouse();
  after(() => clickhouse.close());

  test('the bundled geo databases, walked and loaded at apply time, answer as the worker does', async () => {
    const nowMs = Date.now();
    const table = uniqueName('kgeo');
    const topic = uniqueName('kgeo_topic');
    const config = loadConfig({
      env: {
        KAFKA_BROKERS: testStack().brokers.join(','),
        CLICKHOUSE_TABLE: table,
        KAFKA_TOPICS: topic,
        INGEST_MODE: 'kafka-engine',
        ENRICH_LLM_COST_ENABLED: 'false',
        DECODE_MAX_MESSAGE_BYTES: String(CORPUS_LIMITS.maxMessageBytes),
        DECODE_MAX_PROPERTIES_BYTES: String(CORPUS_LIMITS.maxPropertiesBytes),
      },
    });
    const placed: Placed[] = parityCorpus(400, 23, nowMs).map((m, i) => ({
      ...m,
      topic,
      partition: 0,
      offset: i,
      timestampMs: nowMs - 1_000,
    }));
    const reference = await decodeLikeTheWorker(config, placed, nowMs);
    for (const t of [table, `${table}_worker`]) {
      for (const query of createEventsTableSql({ database: 'default', table: t }))
        await clickhouse.command({ query });
    }
    const objects = kafkaEngineObjects({ database: 'default', eventsTable: table });
    const result = await applyKafkaEngine(clickhouse, {
      objects,
      options: kafkaEngineOptions(config, undefined),
      auth: { user: testStack().clickhouse.username, password: testStack().clickhouse.password },
      pricing: undefined,
      geo: undefined,
      owner: table,
    });
    try {
      const [dictionaries] = await queryRows<{ bytes: string; elements: string; seconds: number }>(
        clickhouse,
        `SELECT sum(bytes_allocated) AS bytes, sum(element_count) AS elements, sum(loading_duration) AS seconds
         FROM system.dictionaries WHERE database = 'default' AND name IN ({n:String}, {l:String})`,
        {
          n: objects.geo.dictionary.split('.')[1] ?? '',
          l: objects.geo.locationsDictionary.split('.')[1] ?? '',
        },
      );
      console.log(
        `bundled geo: ${JSON.stringify(result.geoLoad)}; dictionaries: ${JSON.stringify(dictionaries)}`,
      );
      assert.equal(result.geo, 'loaded');
      assert.ok((result.geoLoad?.networks ?? 0) > 5_000_000, JSON.stringify(result.geoLoad));

      await insertRawMessages(clickhouse, objects.rawTable, placed);
      await clickhouse.insert({
        table: `default.${table}_worker`,
        values: reference.rows,
        format: 'JSONEachRow',
      });
      const [geo] = await queryRows<{ worker: string; engine: string }>(
        clickhouse,
        `SELECT (SELECT countIf(country_code != '\\0\\0') FROM default.${table}_worker) AS worker,
                (SELECT countIf(country_code != '\\0\\0') FROM default.${table}) AS engine`,
      );
      assert.ok(Number(geo?.worker) > 200, JSON.stringify(geo));
      const comparison = await compareEventsTables(
        clickhouse,
        `default.${table}`,
        `default.${table}_worker`,
        ['country_code', 'region', 'city'],
      );
      assert.deepEqual(
        {
          rows: comparison.rows.a,
          onlyKafkaEngine: comparison.onlyA,
          onlyWorker: comparison.onlyB,
        },
        { rows: reference.rows.length, onlyKafkaEngine: 0, onlyWorker: 0 },
      );
      assert.deepEqual(comparison.mismatches, {}, JSON.stringify(comparison.mismatches, null, 2));
    } finally {
      await dropKafkaEnginePipeline(clickhouse, objects);
    }
  });
});
