import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EnvSetting } from '../../../src/config/env-settings.ts';
import { enrichmentSwitch } from '../../../test/bench/enrichment-switch.ts';
import { parseEnvFile } from '../../../test/bench/running-stack.ts';

const setting = (env: string, path: string, kind: EnvSetting['kind']): EnvSetting => ({
  env,
  path: path.split('.'),
  kind,
  doc: '',
});

describe('enrichmentSwitch', () => {
  test("the enrich section's boolean _ENABLED settings, all true or all false", () => {
    const sw = enrichmentSwitch([
      setting('ENRICH_GEO_ENABLED', 'enrich.geo.enabled', 'bool'),
      setting('ENRICH_UA_ENABLED', 'enrich.userAgent.enabled', 'bool'),
      setting('ENRICH_GEO_DATABASES', 'enrich.geo.databases', 'list'),
      setting('ENRICH_RECOMPUTE_COST', 'enrich.cost.recompute', 'bool'),
      setting('KAFKA_SSL_ENABLED', 'kafka.ssl.enabled', 'bool'),
    ]);
    assert.deepEqual(sw, {
      on: { ENRICH_GEO_ENABLED: 'true', ENRICH_UA_ENABLED: 'true' },
      off: { ENRICH_GEO_ENABLED: 'false', ENRICH_UA_ENABLED: 'false' },
    });
    assert.equal(enrichmentSwitch([setting('KAFKA_SSL', 'kafka.ssl.enabled', 'bool')]), undefined);
  });
});

describe('parseEnvFile', () => {
  test('KEY=value lines; comments and blanks ignored; = in values kept', () => {
    assert.deepEqual(parseEnvFile('# c\nKAFKA_BROKERS=127.0.0.1:1\n\nCLICKHOUSE_PASSWORD=a=b\n'), {
      KAFKA_BROKERS: '127.0.0.1:1',
      CLICKHOUSE_PASSWORD: 'a=b',
    });
  });
});
