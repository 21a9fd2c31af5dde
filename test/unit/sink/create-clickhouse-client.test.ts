import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../../src/config/load-config.ts';
import { ConfigError } from '../../../src/errors.ts';
import { clickHouseClientOptions } from '../../../src/sink/create-clickhouse-client.ts';
import { createTestPki, type TestPki } from '../../support/test-certificates.ts';

let pki: TestPki;
before(async () => {
  pki = await createTestPki();
});
after(() => rmSync(pki.dir, { recursive: true, force: true }));

const options = (env: Record<string, string>) => {
  const config = loadConfig({ env: { KAFKA_BROKERS: 'k:9092', ...env } });
  return clickHouseClientOptions(config.clickhouse, config.insert);
};

describe('clickHouseClientOptions: the settings reach @clickhouse/client', () => {
  test('user and password (from a mounted secret file), database, no TLS on http', () => {
    const file = `${pki.dir}/clickhouse-password`;
    writeFileSync(file, 's3cret\n');
    const o = options({
      CLICKHOUSE_URL: 'http://ch:8123',
      CLICKHOUSE_USER: 'hanzo',
      CLICKHOUSE_PASSWORD_FILE: file,
      CLICKHOUSE_DATABASE: 'hanzo',
    });
    assert.equal(o.url, 'http://ch:8123');
    assert.equal(o.username, 'hanzo');
    assert.equal(o.password, 's3cret');
    assert.equal(o.database, 'hanzo');
    assert.equal(o.tls, undefined);
  });

  test('https with a CA: the server is verified against that CA', () => {
    const o = options({ CLICKHOUSE_URL: 'https://ch:8443', CLICKHOUSE_TLS_CA_FILE: pki.caFile });
    assert.deepEqual(o.tls, { ca_cert: readFileSync(pki.caFile) });
  });

  test('mutual TLS: CA, client certificate and key', () => {
    const o = options({
      CLICKHOUSE_URL: 'https://ch:8443',
      CLICKHOUSE_TLS_CA_FILE: pki.caFile,
      CLICKHOUSE_TLS_CERT_FILE: pki.clientCertFile,
      CLICKHOUSE_TLS_KEY_FILE: pki.clientKeyFile,
    });
    assert.deepEqual(o.tls, {
      ca_cert: readFileSync(pki.caFile),
      cert: readFileSync(pki.clientCertFile),
      key: readFileSync(pki.clientKeyFile),
    });
  });

  test('an unreadable file is a configuration error naming the variable', () => {
    assert.throws(
      () =>
        options({
          CLICKHOUSE_URL: 'https://ch:8443',
          CLICKHOUSE_TLS_CA_FILE: pki.caFile,
          CLICKHOUSE_TLS_CERT_FILE: pki.clientCertFile,
          CLICKHOUSE_TLS_KEY_FILE: `${pki.dir}/nope.key`,
        }),
      (err: unknown) =>
        err instanceof ConfigError &&
        /^CLICKHOUSE_TLS_KEY_FILE: cannot read/.test(err.problems[0] ?? ''),
    );
  });
});
