import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ENV_SETTINGS } from '../../../src/config/env-settings.ts';
import { configReference } from '../../../src/config/print-config.ts';
import { configSchema } from '../../../src/config/schema.ts';
import { ALL_SETTINGS } from '../../../src/config/settings/all-settings.ts';
import { isGroup, setting, type Settings } from '../../../src/config/settings/setting.ts';
import { z } from 'zod';

/** Dotted paths of every declared setting, walking the tables themselves. */
function declaredPaths(settings: Settings, parent = ''): string[] {
  return Object.entries(settings).flatMap(([key, entry]) => {
    const path = parent === '' ? key : `${parent}.${key}`;
    return isGroup(entry) ? declaredPaths(entry.settings, path) : [path];
  });
}

/** Dotted paths of every leaf of a parsed config (arrays and empty maps are leaves). */
function leafPaths(value: unknown, parent = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [parent];
  if (Object.keys(value).length === 0) return [parent];
  return Object.entries(value).flatMap(([key, child]) =>
    leafPaths(child, parent === '' ? key : `${parent}.${key}`),
  );
}

function duplicates(values: readonly string[]): string[] {
  return values.filter((v, i) => values.indexOf(v) !== i);
}

describe('every setting is declared once (settings/*.ts)', () => {
  const reference = configReference(
    configSchema.parse({ workerId: 'w', kafka: { brokers: ['k:9092'] } }),
  );

  test('each has an environment variable and a doc, and appears once in the reference', () => {
    assert.ok(ENV_SETTINGS.length > 50, `${ENV_SETTINGS.length} settings`);
    for (const s of ENV_SETTINGS) {
      assert.match(s.env, /^[A-Z][A-Z0-9_]*$/, s.path.join('.'));
      assert.ok(s.doc.trim().length > 0, `${s.env} has a doc`);
      const rows = reference.split('\n').filter((line) => line.startsWith(`| \`${s.env}\` `));
      assert.equal(rows.length, 1, `${s.env} appears once in the reference`);
    }
  });

  test('no variable and no path is declared twice', () => {
    assert.deepEqual(duplicates(ENV_SETTINGS.map((s) => s.env)), []);
    const paths = ENV_SETTINGS.map((s) => s.path.join('.'));
    assert.deepEqual(duplicates(paths), []);
    // A `_FILE` form must not shadow another setting's variable.
    const names = new Set(ENV_SETTINGS.map((s) => s.env));
    for (const s of ENV_SETTINGS.filter((e) => e.fromFile === true)) {
      assert.ok(!names.has(`${s.env}_FILE`), `${s.env}_FILE is no other setting`);
    }
  });

  test('the schema holds exactly the declared settings, and the env list all of them', () => {
    const declared = declaredPaths(ALL_SETTINGS);
    assert.deepEqual(
      ENV_SETTINGS.map((s) => s.path.join('.')),
      declared,
    );
    const sasl = { mechanism: 'plain', username: 'u', password: 'p' };
    const full = configSchema.parse({
      workerId: 'w',
      pipelineId: 'p',
      kafka: {
        brokers: ['k:9092'],
        sasl,
        ssl: { caFile: 'a', certFile: 'c', keyFile: 'k', enabled: true },
      },
      clickhouse: { url: 'https://ch:8443', tls: { caFile: 'a', certFile: 'c', keyFile: 'k' } },
      decode: { schemaRegistryUrl: 'https://sr/', schemaRegistryToken: 't' },
      enrich: { llmCost: { overridesFile: 'o.json' }, distinctIdSecret: 'x'.repeat(16) },
      kafkaEngine: { geoNetworksFile: 'n.csv' },
      teamSettings: { url: 'postgres://db/x' },
    });
    const unset = new Set(['decode.schemaRegistryUsername', 'decode.schemaRegistryPassword']);
    assert.deepEqual(leafPaths(full).sort(), declared.filter((p) => !unset.has(p)).sort());
  });

  test("a setting's environment kind comes from its zod type", () => {
    const kindOf = (env: string): string | undefined =>
      ENV_SETTINGS.find((s) => s.env === env)?.kind;
    assert.equal(kindOf('KAFKA_BROKERS'), 'list');
    assert.equal(kindOf('DECODE_AVRO_SCHEMA_IDS'), 'map');
    assert.equal(kindOf('METRICS_PORT'), 'int');
    assert.equal(kindOf('KAFKA_SSL'), 'bool');
    assert.equal(kindOf('LOG_LEVEL'), 'string');
    assert.equal(kindOf('CLICKHOUSE_URL'), 'string');
    assert.throws(
      () => setting({ env: 'X', type: z.date(), doc: 'd' }),
      /X: no environment kind for a date/,
    );
  });

  test('a default its own type refuses stops the module from loading', () => {
    assert.throws(
      () => setting({ env: 'Y', type: z.number().int().positive(), default: 0, doc: 'd' }),
      /Y: the default 0 fails its own type/,
    );
  });
});
