import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { loadConfig } from '../../../src/config/load-config.ts';
import { kafkaEngineObjects } from '../../../src/kafka-engine/object-names.ts';
import { kafkaEngineOptions, type KafkaEngineOptions } from '../../../src/kafka-engine/options.ts';
import type { PricingTables } from '../../../src/kafka-engine/pricing/pricing-tables.ts';
import { loadPricingTables } from '../../../src/kafka-engine/pricing/load-pricing-tables.ts';
import { EVENT_COLUMNS_FROM_KAFKA } from '../../../src/kafka-engine/pipeline-columns.ts';
import { renderKafkaEngineDdl } from '../../../src/kafka-engine/render-kafka-engine.ts';
import { renderPipelineDrop } from '../../../src/kafka-engine/render-pipeline-drop.ts';
import { PARSED_COLUMN_NAMES } from '../../../src/kafka-engine/sql/parsed-columns-sql.ts';

describe('renderKafkaEngineDdl', () => {
  let pricing: PricingTables;
  let options: KafkaEngineOptions;
  before(async () => {
    pricing = await loadPricingTables();
    options = kafkaEngineOptions(
      loadConfig({ env: { KAFKA_BROKERS: 'kafka:9092', INGEST_MODE: 'kafka-engine' } }),
      pricing,
    );
  });

  test('HIP-47 names and settings; the Kafka table and its one view come last', () => {
    const objects = kafkaEngineObjects({ database: 'hanzo', eventsTable: 'events' });
    assert.equal(objects.kafkaTable, 'hanzo.events_kafka');
    assert.equal(objects.rowsView, 'hanzo.events_kafka_mv');
    assert.equal(objects.errorsTable, 'hanzo.events_kafka_errors');
    const ddl = renderKafkaEngineDdl(objects, options.kafka, options.parse);
    const kafka = ddl.pipeline.at(-2) ?? '';
    assert.match(kafka, /^CREATE TABLE IF NOT EXISTS hanzo\.events_kafka\n/);
    for (const setting of [
      "kafka_broker_list = 'kafka:9092'",
      "kafka_topic_list = 'hanzo_events'",
      "kafka_group_name = 'hanzo-ingest'",
      "kafka_format = 'RawBLOB'",
      'kafka_num_consumers = 4',
      'kafka_max_block_size = 65536',
      "kafka_handle_error_mode = 'stream'",
    ]) {
      assert.ok(kafka.includes(setting), setting);
    }
    assert.match(
      kafka,
      new RegExp(`COMMENT 'hanzo-ingest kafka-engine pipeline ${ddl.fingerprint}'`),
    );
    assert.match(
      ddl.pipeline.at(-1) ?? '',
      /^CREATE MATERIALIZED VIEW IF NOT EXISTS hanzo\.events_kafka_raw_mv\nTO hanzo\.events_kafka_raw\nAS SELECT .*\sFROM hanzo\.events_kafka$/s,
    );
    assert.match(
      ddl.pipeline.find((s) => s.includes('events_kafka_mv\n')) ?? '',
      /TO hanzo\.events\n/,
    );
    assert.match(
      ddl.errorsTable,
      /ENGINE = ReplacingMergeTree\nPARTITION BY toYYYYMM\(_ingested_at\)\nORDER BY \(_topic, _partition, _offset\)/,
    );
    assert.deepEqual(ddl.drop, renderPipelineDrop(objects));
    assert.match(ddl.drop[0] ?? '', /DROP VIEW IF EXISTS hanzo\.events_kafka_raw_mv SYNC/);
    assert.ok(
      !ddl.drop.some((s) => s.includes('errors') && s.includes('TABLE')),
      'the errors table is never dropped',
    );
  });

  test('the fingerprint follows the DDL', () => {
    const objects = kafkaEngineObjects({ database: 'default', eventsTable: 'events' });
    const a = renderKafkaEngineDdl(objects, options.kafka, options.parse).fingerprint;
    const b = renderKafkaEngineDdl(objects, options.kafka, options.parse).fingerprint;
    const c = renderKafkaEngineDdl(
      objects,
      { ...options.kafka, numConsumers: 2 },
      options.parse,
    ).fingerprint;
    assert.equal(a, b);
    assert.notEqual(a, c);
  });

  test('clustered: ON CLUSTER on every statement, a replicated errors table, rows into the Distributed table', () => {
    const objects = kafkaEngineObjects({
      database: 'hanzo',
      eventsTable: 'events',
      cluster: '{cluster}',
      distributed: true,
    });
    const ddl = renderKafkaEngineDdl(objects, options.kafka, options.parse);
    for (const sql of [ddl.errorsTable, ...ddl.pipeline, ...ddl.drop]) {
      assert.match(sql.split('\n')[0] ?? '', / ON CLUSTER '\{cluster\}'/, sql.slice(0, 80));
    }
    assert.match(
      ddl.errorsTable,
      /ReplicatedReplacingMergeTree\('\/clickhouse\/tables\/\{shard\}\/\{database\}\/events_kafka_errors', '\{replica\}'\)/,
    );
    assert.match(
      ddl.pipeline.find((s) => s.includes('events_kafka_mv ')) ?? '',
      /TO hanzo\.events\n/,
    );
  });

  test('the views write every events column but created_at, the parsed table has them all', () => {
    // _ingested_at and retention_months are the rows view's own (now64, the dictionary).
    for (const c of EVENT_COLUMNS_FROM_KAFKA) {
      if (c !== '_ingested_at' && c !== 'retention_months')
        assert.ok((PARSED_COLUMN_NAMES as readonly string[]).includes(c), c);
    }
  });

  test('retention_months: the team-retention dictionary when on, else 12; the fingerprint tells them apart', () => {
    const objects = kafkaEngineObjects({ database: 'hanzo', eventsTable: 'events' });
    const off = renderKafkaEngineDdl(objects, options.kafka, options.parse);
    const on = renderKafkaEngineDdl(objects, options.kafka, options.parse, true);
    const rowsView = (ddl: typeof on): string =>
      ddl.pipeline.find((sql) => sql.includes(`VIEW IF NOT EXISTS ${objects.rowsView}\n`)) ?? '';
    assert.match(rowsView(off), /\n {4}toUInt16\(12\) AS retention_months,\n/);
    assert.match(
      rowsView(on),
      /\n {4}dictGetOrDefault\('hanzo\.events_team_retention', 'retention_months', team_id, toUInt16\(12\)\) AS retention_months,\n/,
    );
    assert.notEqual(on.fingerprint, off.fingerprint);
    const withUrl = kafkaEngineOptions(
      loadConfig({
        env: {
          KAFKA_BROKERS: 'kafka:9092',
          INGEST_MODE: 'kafka-engine',
          TEAM_SETTINGS_URL: 'postgres://u:p@pg:5432/db',
        },
      }),
      pricing,
    );
    assert.deepEqual([options.teamRetention, withUrl.teamRetention], [false, true]);
  });
});
