import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig } from '../../../src/config/load-config.ts';
import { DEFAULT_SCRUB_KEYS } from '../../../src/enrich/enrich-defaults.ts';
import { ConfigError } from '../../../src/errors.ts';
import { kafkaEngineOptions } from '../../../src/kafka-engine/options.ts';

const base = {
  KAFKA_BROKERS: 'k:9092',
  INGEST_MODE: 'kafka-engine',
  ENRICH_LLM_COST_ENABLED: 'false',
};

function problems(env: Record<string, string>): readonly string[] {
  try {
    kafkaEngineOptions(loadConfig({ env: { ...base, ...env } }), undefined);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('kafkaEngineOptions', () => {
  test('the worker’s topics, group and limits; the raw IP and content keys removed', () => {
    const options = kafkaEngineOptions(
      loadConfig({
        env: { ...base, KAFKA_TOPICS: 'a,b', KAFKA_GROUP_ID: 'g', KAFKA_ENGINE_NUM_CONSUMERS: '2' },
      }),
      undefined,
    );
    assert.deepEqual(options.kafka.topics, ['a', 'b']);
    assert.equal(options.kafka.groupName, 'g');
    assert.equal(options.kafka.numConsumers, 2);
    // The worker's scrub keys (DEFAULT_SCRUB_KEYS unless configured) and the raw IP.
    assert.deepEqual(options.parse.removeKeys, [...DEFAULT_SCRUB_KEYS, '$ip']);
    assert.deepEqual(options.parse.removePaths, []);
    assert.equal(options.parse.llmCost, undefined);
    assert.equal(options.parse.geo, true, 'geo by default, from the worker’s databases');
    assert.equal(options.geoNetworksFile, undefined);
    assert.ok(options.geoDatabases.length > 0);
    assert.ok(options.differences.some((d) => d.includes('uap-core')));
    assert.deepEqual(options.parse.userAgent?.fields, [
      { inProperties: true, segments: ['$user_agent'] },
      { inProperties: true, segments: ['$raw_user_agent'] },
    ]);
    assert.ok(options.differences.some((d) => d.includes('ip_trie')));
  });

  test('what SQL cannot do safely stops start-up, naming the setting', () => {
    const found = problems({
      DECODE_FORMAT: 'avro',
      ENRICH_DISTINCT_ID_SECRET: 'a-very-long-secret-value',
      ENRICH_IP_FIELDS: 'properties.client.ip',
    }).join('\n');
    assert.match(found, /DECODE_FORMAT \(decode\.format\): kafka-engine mode reads JSON only/);
    assert.match(found, /ENRICH_DISTINCT_ID_SECRET/);
    assert.match(found, /ENRICH_IP_FIELDS .*properties\.client\.ip/);
  });

  test('configured scrub keys are the ones removed: top-level keys and dotted paths', () => {
    const options = kafkaEngineOptions(
      loadConfig({
        env: {
          ...base,
          ENRICH_SCRUB_KEYS: 'prompt,request.messages,a.b.c',
          ENRICH_KEEP_RAW_IP: 'true',
        },
      }),
      undefined,
    );
    assert.deepEqual(options.parse.removeKeys, ['prompt']);
    assert.deepEqual(options.parse.removePaths, [
      ['request', 'messages'],
      ['a', 'b', 'c'],
    ]);
  });

  test('SDK fields: geo switches, the IP removed when switched, top-level IP roots not folded', () => {
    const kept = kafkaEngineOptions(
      loadConfig({
        env: { ...base, ENRICH_KEEP_RAW_IP: 'true', ENRICH_IP_FIELDS: 'properties.$ip,ip' },
      }),
      undefined,
    );
    assert.deepEqual(kept.parse.geoipSwitches, [
      { inProperties: true, segments: ['$geoip_disable'] },
    ]);
    assert.deepEqual(kept.parse.ipKeysWhenSwitched, ['$ip']);
    assert.deepEqual(kept.parse.fold, { neverFolded: [], notFoldedWhenSwitched: ['ip'] });
    const removed = kafkaEngineOptions(
      loadConfig({ env: { ...base, ENRICH_IP_FIELDS: 'context.ip,properties.$ip' } }),
      undefined,
    );
    assert.deepEqual(removed.parse.ipKeysWhenSwitched, []);
    assert.deepEqual(removed.parse.fold, { neverFolded: ['context'], notFoldedWhenSwitched: [] });
    assert.ok(removed.differences.some((d) => d.includes('context') && d.includes('not folded')));
    const nested = problems({
      ENRICH_KEEP_RAW_IP: 'true',
      ENRICH_IP_FIELDS: 'properties.client.ip',
    });
    assert.ok(
      nested.some((p) => p.startsWith('ENRICH_GEOIP_DISABLE_FIELDS')),
      nested.join('\n'),
    );
  });

  test('LLM cost on needs the pricing tables', () => {
    assert.throws(
      () =>
        kafkaEngineOptions(
          loadConfig({ env: { ...base, ENRICH_LLM_COST_ENABLED: 'true' } }),
          undefined,
        ),
      /load the pricing tables first/,
    );
  });
});

describe('checkTopicDefinitions', () => {
  test('non-JSON topics are refused, another target table is a warning, unknown topics pass', async () => {
    const { checkTopicDefinitions } =
      await import('../../../src/kafka-engine/check-topic-definitions.ts');
    const { loadTopicDefinitions } = await import('../../../src/topics/load-topic-definitions.ts');
    const { topics } = loadTopicDefinitions('topics');
    assert.deepEqual(
      checkTopicDefinitions(topics, { topics: ['hanzo_events', 'other'], table: 'events' }),
      {
        errors: [],
        warnings: [],
      },
    );
    const dlqOnly = checkTopicDefinitions(topics, { topics: ['hanzo_events_dlq'], table: 'x' });
    assert.match(
      dlqOnly.errors[0] ?? '',
      /declares dead-letter messages; kafka-engine mode reads JSON only/,
    );
    const elsewhere = checkTopicDefinitions(topics, {
      topics: ['hanzo_events'],
      table: 'events_copy',
    });
    assert.match(elsewhere.warnings[0] ?? '', /lands in events, this pipeline writes events_copy/);
  });
});
