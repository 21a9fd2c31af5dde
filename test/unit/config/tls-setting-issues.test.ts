import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig } from '../../../src/config/load-config.ts';
import { ConfigError } from '../../../src/errors.ts';

const base = { KAFKA_BROKERS: 'k1:9092' };

function problems(env: Record<string, string>): readonly string[] {
  try {
    loadConfig({ env: { ...base, ...env } });
    return [];
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
}

// A half-configured TLS setup must stop start-up, naming the variable, instead of silently
// connecting without the certificate (or in clear text) the operator asked for.
describe('TLS settings: cross-field rules', () => {
  test('ClickHouse: client certificate and key come together, with a CA, on https', () => {
    assert.deepEqual(
      problems({
        CLICKHOUSE_URL: 'https://ch:8443',
        CLICKHOUSE_TLS_CERT_FILE: '/tls/client.pem',
      }),
      [
        'CLICKHOUSE_TLS_KEY_FILE (clickhouse.tls.keyFile): is required with clickhouse.tls.certFile (mutual TLS)',
        'CLICKHOUSE_TLS_CA_FILE (clickhouse.tls.caFile): is required for mutual TLS (the server is verified against it)',
      ],
    );
    assert.deepEqual(
      problems({
        CLICKHOUSE_URL: 'https://ch:8443',
        CLICKHOUSE_TLS_KEY_FILE: '/k',
        CLICKHOUSE_TLS_CA_FILE: '/ca',
      }),
      [
        'CLICKHOUSE_TLS_CERT_FILE (clickhouse.tls.certFile): is required with clickhouse.tls.keyFile (mutual TLS)',
      ],
    );
    assert.deepEqual(problems({ CLICKHOUSE_TLS_CA_FILE: '/tls/ca.pem' }), [
      'CLICKHOUSE_URL (clickhouse.url): must be an https:// URL when TLS files (clickhouse.tls.*) are set',
    ]);
    assert.deepEqual(
      problems({
        CLICKHOUSE_URL: 'https://ch:8443',
        CLICKHOUSE_TLS_CA_FILE: '/ca',
        CLICKHOUSE_TLS_CERT_FILE: '/c',
        CLICKHOUSE_TLS_KEY_FILE: '/k',
      }),
      [],
    );
  });

  test('Kafka: TLS files need KAFKA_SSL=true; certificate and key come together', () => {
    assert.deepEqual(problems({ KAFKA_SSL_CA_FILE: '/ca' }), [
      'KAFKA_SSL (kafka.ssl.enabled): must be true when TLS files (kafka.ssl.*) are set',
    ]);
    assert.deepEqual(problems({ KAFKA_SSL: 'true', KAFKA_SSL_KEY_FILE: '/k' }), [
      'KAFKA_SSL_CERT_FILE (kafka.ssl.certFile): is required with kafka.ssl.keyFile (mutual TLS)',
    ]);
    assert.deepEqual(
      problems({ KAFKA_SSL: 'true', KAFKA_SSL_CERT_FILE: '/c', KAFKA_SSL_KEY_FILE: '/k' }),
      [],
    );
  });

  test('SASL needs a mechanism, a user and a password', () => {
    const found = problems({ KAFKA_SASL_PASSWORD: 'pw' });
    assert.ok(
      found.some((p) => p.startsWith('KAFKA_SASL_MECHANISM (kafka.sasl.mechanism): ')),
      found.join('\n'),
    );
    assert.ok(
      found.some((p) => p.startsWith('KAFKA_SASL_USERNAME (kafka.sasl.username): is required')),
      found.join('\n'),
    );
    assert.ok(
      problems({
        KAFKA_SASL_MECHANISM: 'gssapi',
        KAFKA_SASL_USERNAME: 'u',
        KAFKA_SASL_PASSWORD: 'p',
      }).some((p) => p.startsWith('KAFKA_SASL_MECHANISM (kafka.sasl.mechanism)')),
    );
  });
});
