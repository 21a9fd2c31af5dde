import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';

// What the CLI prints must never contain a secret: check-config output, configuration
// errors, and connection errors, whether the secret came from a variable, a *_FILE, a
// config file, or a URL's user-info. Each secret is a unique marker searched for in all
// of stdout and stderr.
const cli = join(import.meta.dirname, '../../../src/cli/main.ts');
const dir = mkdtempSync(join(tmpdir(), 'hanzo-secrets-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const SECRETS = {
  clickhousePassword: 'chPW-7e1c9a-marker',
  saslPassword: 'saslPW-44b0d2-marker',
  distinctIdSecret: 'hmacKEY-90f3aa-marker-long',
  urlPassword: 'urlPW-5d21e8-marker',
  registryPassword: 'regPW-c0ffee-marker',
  filePassword: 'cfgPW-1b2b3b-marker',
};
const saslFile = join(dir, 'sasl-password');
writeFileSync(saslFile, `${SECRETS.saslPassword}\n`);

interface Outcome {
  code: number;
  output: string;
}

async function runCli(args: string[], env: Record<string, string>): Promise<Outcome> {
  const result = await promisify(execFile)(process.execPath, [cli, ...args], {
    env: { PATH: process.env['PATH'] ?? '', LOG_LEVEL: 'info', ...env },
    timeout: 60_000,
    maxBuffer: 16 << 20,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, output: `${stdout}\n${stderr}` }),
    (err: { code?: number; stdout?: string; stderr?: string }) => ({
      code: err.code ?? -1,
      output: `${err.stdout ?? ''}\n${err.stderr ?? ''}`,
    }),
  );
  return result;
}

function assertNoSecret(output: string): void {
  for (const [name, secret] of Object.entries(SECRETS)) {
    assert.ok(!output.includes(secret), `${name} printed:\n${output}`);
  }
}

const secretEnv = {
  KAFKA_BROKERS: '127.0.0.1:1',
  KAFKA_SSL: 'true',
  KAFKA_SASL_MECHANISM: 'scram-sha-512',
  KAFKA_SASL_USERNAME: 'hanzo-ingest',
  KAFKA_SASL_PASSWORD_FILE: saslFile,
  CLICKHOUSE_URL: `http://hanzo:${SECRETS.urlPassword}@127.0.0.1:1`,
  CLICKHOUSE_PASSWORD: SECRETS.clickhousePassword,
  ENRICH_DISTINCT_ID_SECRET: SECRETS.distinctIdSecret,
  DECODE_SCHEMA_REGISTRY_URL: `https://key:${SECRETS.registryPassword}@registry.example:8081`,
};

describe('secrets are never printed', () => {
  test('check-config masks every secret (variables, *_FILE, URL user-info)', async () => {
    const { code, output } = await runCli(['check-config'], secretEnv);
    assert.equal(code, 0, output);
    assertNoSecret(output);
    const shown = JSON.parse(output.slice(0, output.lastIndexOf('}') + 1)) as {
      clickhouse: { password: string; url: string };
      kafka: { sasl: { password: string; username: string } };
      decode: { schemaRegistryUrl: string };
    };
    assert.equal(shown.clickhouse.password, '********');
    assert.equal(shown.kafka.sasl.password, '********');
    assert.equal(shown.kafka.sasl.username, 'hanzo-ingest', 'non-secrets stay visible');
    assert.match(shown.clickhouse.url, /^http:\/\/hanzo:\*+@127\.0\.0\.1:1/);
    assert.match(shown.decode.schemaRegistryUrl, /^https:\/\/key:\*+@registry\.example:8081/);
  });

  test('a config file\u2019s secrets are masked too', async () => {
    const file = join(dir, 'config.json');
    writeFileSync(
      file,
      JSON.stringify({ clickhouse: { password: SECRETS.filePassword, username: 'hanzo' } }),
    );
    const { code, output } = await runCli(['--config', file, 'check-config'], {
      KAFKA_BROKERS: '127.0.0.1:1',
    });
    assert.equal(code, 0, output);
    assertNoSecret(output);
    assert.match(output, /"password": "\*{8}"/);
  });

  test('configuration errors name the settings, never their secret values', async () => {
    const { code, output } = await runCli(['check-config'], {
      ...secretEnv,
      KAFKA_SASL_MECHANISM: 'kerberos',
      KAFKA_SASL_USERNAME: '',
      CLICKHOUSE_PASSWORD_FILE: saslFile,
      ENRICH_DISTINCT_ID_SECRET: 'short',
      BATCH_MAX_ROWS: 'many',
    });
    assert.equal(code, 2, output);
    assertNoSecret(output);
    assert.match(output, /KAFKA_SASL_MECHANISM/);
    assert.match(
      output,
      /CLICKHOUSE_PASSWORD: set either CLICKHOUSE_PASSWORD or CLICKHOUSE_PASSWORD_FILE/,
    );
    assert.match(output, /BATCH_MAX_ROWS/);
    assert.ok(!output.includes('short'), 'a too-short secret is not echoed either');
  });

  test('connection errors (ClickHouse unreachable, credentials in the URL) do not echo them', async () => {
    const { code, output } = await runCli(['migrate', 'status'], {
      KAFKA_BROKERS: '127.0.0.1:1',
      CLICKHOUSE_URL: `http://hanzo:${SECRETS.urlPassword}@127.0.0.1:1`,
      CLICKHOUSE_PASSWORD: SECRETS.clickhousePassword,
    });
    assert.notEqual(code, 0);
    assert.match(output, /ECONNREFUSED/);
    assertNoSecret(output);
  });
});
