import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadConfig } from '../../../src/config/load-config.ts';
import { maskSecrets } from '../../../src/config/print-config.ts';
import { ConfigError } from '../../../src/errors.ts';

const base = { KAFKA_BROKERS: 'k1:9092,k2:9092' };

function problems(env: Record<string, string>): readonly string[] {
  try {
    loadConfig({ env });
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('loadConfig', () => {
  test('defaults: HIP-47 batch size, 5 s age, hanzo_events', () => {
    const config = loadConfig({ env: base });
    assert.deepEqual(config.kafka.brokers, ['k1:9092', 'k2:9092']);
    assert.deepEqual(config.kafka.topics, ['hanzo_events']);
    assert.ok(config.batch.maxRows >= 10_000 && config.batch.maxRows <= 100_000);
    assert.equal(config.batch.maxAgeMs, 5_000);
    assert.ok(Object.isFrozen(config) && Object.isFrozen(config.kafka));
  });

  test('every problem is reported at once, by setting name', () => {
    const found = problems({
      KAFKA_BROKERZ: 'x',
      BATCH_MAX_ROWS: 'many',
      CLICKHOUSE_TABLE: 'events; DROP',
    });
    assert.equal(found.length, 4, found.join('\n'));
    assert.ok(
      found.some((p) =>
        p.startsWith('KAFKA_BROKERZ: unknown setting (did you mean KAFKA_BROKERS?)'),
      ),
    );
    assert.ok(found.some((p) => p.startsWith('BATCH_MAX_ROWS: expected a whole number')));
    assert.ok(
      found.some((p) =>
        p.startsWith('CLICKHOUSE_TABLE (clickhouse.table): must be a plain SQL identifier'),
      ),
    );
    assert.ok(found.some((p) => p.startsWith('KAFKA_BROKERS (kafka.brokers): is required')));
  });

  test('cross-field rules name the setting to change', () => {
    const found = problems({
      ...base,
      INSERT_TIMEOUT_MS: '120000',
      KAFKA_HEARTBEAT_INTERVAL_MS: '20000',
    });
    assert.ok(
      found.some((p) =>
        p.startsWith(
          'INSERT_TIMEOUT_MS (insert.timeoutMs): must be below kafka.rebalanceTimeoutMs',
        ),
      ),
      found.join('\n'),
    );
    assert.ok(
      found.some((p) =>
        p.startsWith(
          'KAFKA_HEARTBEAT_INTERVAL_MS (kafka.heartbeatIntervalMs): must be at most a third',
        ),
      ),
    );
  });

  test('Kubernetes service-link variables and foreign KAFKA_ tool variables are ignored', () => {
    assert.doesNotThrow(() =>
      loadConfig({
        env: {
          ...base,
          KAFKA_PORT: 'tcp://10.0.0.1:9092',
          KAFKA_SERVICE_HOST: '10.0.0.1',
          KAFKA_HEAP_OPTS: '-Xmx1g',
        },
      }),
    );
  });

  test('config file below, environment on top; unknown keys in the file are rejected', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'config.json');
    writeFileSync(
      file,
      JSON.stringify({
        kafka: { groupId: 'from-file', brokers: ['f:9092'] },
        batch: { maxRows: 20000 },
      }),
    );
    const config = loadConfig({ env: { KAFKA_GROUP_ID: 'from-env', INGEST_CONFIG_FILE: file } });
    assert.equal(config.kafka.groupId, 'from-env');
    assert.deepEqual(config.kafka.brokers, ['f:9092']);
    assert.equal(config.batch.maxRows, 20_000);
    writeFileSync(file, JSON.stringify({ kafka: { brokers: ['f:9092'], groupid: 'typo' } }));
    assert.throws(() => loadConfig({ env: { INGEST_CONFIG_FILE: file } }), /groupid/);
  });

  test('KAFKA_DLQ_COMPRESSION: none by default, a codec name, anything else stops start-up', () => {
    assert.equal(loadConfig({ env: base }).kafka.dlqCompression, 'none');
    for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const) {
      const config = loadConfig({ env: { ...base, KAFKA_DLQ_COMPRESSION: codec } });
      assert.equal(config.kafka.dlqCompression, codec);
    }
    assert.deepEqual(problems({ ...base, KAFKA_DLQ_COMPRESSION: 'brotli' }), [
      'KAFKA_DLQ_COMPRESSION (kafka.dlqCompression): expected one of none, gzip, snappy, lz4, zstd, got "brotli"',
    ]);
  });

  test('secrets come from *_FILE and are masked when printed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    writeFileSync(join(dir, 'pw'), 's3cret-from-file\n');
    const config = loadConfig({
      env: {
        ...base,
        CLICKHOUSE_PASSWORD_FILE: join(dir, 'pw'),
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: 'u',
        KAFKA_SASL_PASSWORD: 'kafka-secret',
      },
    });
    assert.equal(config.clickhouse.password, 's3cret-from-file');
    const printed = JSON.stringify(maskSecrets(config));
    assert.ok(!printed.includes('s3cret-from-file') && !printed.includes('kafka-secret'), printed);
    assert.match(printed, /\*{8}/);
  });
});
