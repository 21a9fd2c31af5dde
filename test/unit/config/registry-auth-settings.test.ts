import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadConfig } from '../../../src/config/load-config.ts';
import { maskSecrets } from '../../../src/config/print-config.ts';
import { ConfigError } from '../../../src/errors.ts';

const base = {
  KAFKA_BROKERS: 'k1:9092',
  DECODE_SCHEMA_REGISTRY_URL: 'https://registry.example:8081',
};

function problems(env: Record<string, string>): string {
  try {
    loadConfig({ env });
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems.join('\n');
  }
  assert.fail('expected a ConfigError');
}

describe('schema registry credentials', () => {
  test('basic auth, with the password from a file, masked when printed', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sr-auth-')), 'password');
    writeFileSync(file, 'sr-secret-42\n');
    const config = loadConfig({
      env: {
        ...base,
        DECODE_SCHEMA_REGISTRY_USERNAME: 'svc',
        DECODE_SCHEMA_REGISTRY_PASSWORD_FILE: file,
      },
    });
    assert.equal(config.decode.schemaRegistryUsername, 'svc');
    assert.equal(config.decode.schemaRegistryPassword, 'sr-secret-42');
    assert.ok(!JSON.stringify(maskSecrets(config)).includes('sr-secret-42'));
  });

  test('a bearer token is a masked secret', () => {
    const config = loadConfig({ env: { ...base, DECODE_SCHEMA_REGISTRY_TOKEN: 'tok-7f7f' } });
    assert.equal(config.decode.schemaRegistryToken, 'tok-7f7f');
    assert.ok(!JSON.stringify(maskSecrets(config)).includes('tok-7f7f'));
  });

  test('basic and bearer together stop start-up, naming both settings', () => {
    const text = problems({
      ...base,
      DECODE_SCHEMA_REGISTRY_USERNAME: 'svc',
      DECODE_SCHEMA_REGISTRY_PASSWORD: 'pw-secret-1',
      DECODE_SCHEMA_REGISTRY_TOKEN: 'tok-secret-2',
    });
    assert.match(text, /DECODE_SCHEMA_REGISTRY_TOKEN/);
    assert.match(text, /DECODE_SCHEMA_REGISTRY_USERNAME/);
    assert.ok(!text.includes('pw-secret-1') && !text.includes('tok-secret-2'), text);
  });

  test('credentials in the URL and in settings at once are refused', () => {
    const text = problems({
      ...base,
      DECODE_SCHEMA_REGISTRY_URL: 'https://u:p@registry.example/',
      DECODE_SCHEMA_REGISTRY_TOKEN: 'tok',
    });
    assert.match(text, /DECODE_SCHEMA_REGISTRY_URL .*carries credentials/);
  });

  test('half of basic auth, or credentials without a registry, are refused', () => {
    assert.match(
      problems({ ...base, DECODE_SCHEMA_REGISTRY_USERNAME: 'svc' }),
      /DECODE_SCHEMA_REGISTRY_USERNAME .*needs DECODE_SCHEMA_REGISTRY_PASSWORD/,
    );
    assert.match(
      problems({ ...base, DECODE_SCHEMA_REGISTRY_PASSWORD: 'x' }),
      /DECODE_SCHEMA_REGISTRY_PASSWORD .*needs DECODE_SCHEMA_REGISTRY_USERNAME/,
    );
    assert.match(
      problems({ KAFKA_BROKERS: 'k1:9092', DECODE_SCHEMA_REGISTRY_TOKEN: 'tok' }),
      /DECODE_SCHEMA_REGISTRY_URL .*is required/,
    );
  });
});
