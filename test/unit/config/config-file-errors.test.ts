import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadConfig } from '../../../src/config/load-config.ts';
import { ConfigError } from '../../../src/errors.ts';
import { runCli } from '../../support/run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'hanzo-config-file-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function configFile(name: string, content: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(content));
  return file;
}

function problems(file: string, env: Record<string, string> = {}): readonly string[] {
  try {
    loadConfig({ env, configFile: file });
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('a config file’s type errors name the setting, the expected type and the value', () => {
  test('each wrong type is reported as such, not as a missing setting', () => {
    const file = configFile('types.json', {
      kafka: { brokers: 'k1:9092', ssl: { enabled: 'yes' } },
      batch: { maxRows: '1000', maxAgeMs: 1.5 },
      logLevel: 3,
      mode: 'fast',
    });
    assert.deepEqual([...problems(file)].sort(), [
      'batch.maxAgeMs (BATCH_MAX_AGE_MS): expected an integer, got the number 1.5',
      'batch.maxRows (BATCH_MAX_ROWS): expected an integer, got the string "1000"',
      'kafka.brokers (KAFKA_BROKERS): expected a list of strings, got the string "k1:9092"',
      'kafka.ssl.enabled (KAFKA_SSL): expected true or false, got the string "yes"',
      'logLevel (LOG_LEVEL): expected one of fatal, error, warn, info, debug, trace, silent, got the number 3',
      'mode (INGEST_MODE): expected one of worker, kafka-engine, got the string "fast"',
    ]);
  });

  test('a missing setting is still "is required"; a variable overriding the file is named as a variable', () => {
    const file = configFile('missing.json', { batch: { maxRows: 20_000 } });
    assert.deepEqual(problems(file), ['KAFKA_BROKERS (kafka.brokers): is required']);
    const wrong = configFile('overridden.json', { kafka: { brokers: ['k:9092'] }, mode: 'x' });
    assert.deepEqual(problems(wrong, { INGEST_MODE: 'fast' }), [
      'INGEST_MODE (mode): expected one of worker, kafka-engine, got "fast"',
    ]);
  });

  test('a secret’s value is never printed, only its type', () => {
    const file = configFile('secret.json', {
      kafka: { brokers: ['k:9092'] },
      clickhouse: { password: 987_654_321 },
    });
    const found = problems(file);
    assert.deepEqual(found, [
      'clickhouse.password (CLICKHOUSE_PASSWORD): expected a string, got a number (not shown: secret)',
    ]);
  });

  test('the CLI says the same, through --config and INGEST_CONFIG_FILE, and exits 2', async () => {
    const file = configFile('cli.json', { batch: { maxRows: '1000' } });
    const expected = 'batch.maxRows (BATCH_MAX_ROWS): expected an integer, got the string "1000"';
    for (const [args, env] of [
      [['--config', file, 'check-config'], { KAFKA_BROKERS: 'k:9092' }],
      [['check-config'], { KAFKA_BROKERS: 'k:9092', INGEST_CONFIG_FILE: file }],
    ] as const) {
      const run = await runCli(args, env);
      assert.equal(run.code, 2, run.stderr);
      assert.equal(run.stderr, `hanzo-ingest: invalid configuration:\n  - ${expected}\n`);
    }
  });
});
