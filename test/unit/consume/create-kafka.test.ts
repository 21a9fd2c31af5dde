import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type TLSSocket } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../../src/config/load-config.ts';
import { Kafka } from 'kafkajs';
import { kafkaClientOptions } from '../../../src/consume/create-kafka.ts';
import { ConfigError } from '../../../src/errors.ts';
import { createLogger } from '../../../src/log/logger.ts';
import { createTestPki, type TestPki } from '../../support/test-certificates.ts';

const logger = createLogger('silent', 'test');
const kafkaConfig = (env: Record<string, string>) =>
  loadConfig({ env: { KAFKA_BROKERS: 'localhost:9092', ...env } }).kafka;

let pki: TestPki;
before(async () => {
  pki = await createTestPki();
});
after(() => rmSync(pki.dir, { recursive: true, force: true }));

describe('kafkaClientOptions: the settings reach kafkajs', () => {
  test('no TLS and no SASL unless configured', () => {
    const options = kafkaClientOptions(kafkaConfig({}), logger);
    assert.equal(options.ssl, undefined);
    assert.equal(options.sasl, undefined);
  });

  for (const mechanism of ['plain', 'scram-sha-256', 'scram-sha-512'] as const) {
    test(`SASL ${mechanism}: mechanism, user and password (from a mounted file)`, () => {
      const file = `${pki.dir}/sasl-password`;
      // A trailing newline (as `kubectl create secret --from-file` keeps it) is not part of it.
      writeFileSync(file, 'p4ss-w0rd\n');
      const options = kafkaClientOptions(
        kafkaConfig({
          KAFKA_SSL: 'true',
          KAFKA_SASL_MECHANISM: mechanism,
          KAFKA_SASL_USERNAME: 'hanzo-ingest',
          KAFKA_SASL_PASSWORD_FILE: file,
        }),
        logger,
      );
      assert.deepEqual(options.sasl, {
        mechanism,
        username: 'hanzo-ingest',
        password: 'p4ss-w0rd',
      });
    });
  }

  test('TLS: the CA, client certificate and key files are read into the options', () => {
    const options = kafkaClientOptions(
      kafkaConfig({
        KAFKA_SSL: 'true',
        KAFKA_SSL_CA_FILE: pki.caFile,
        KAFKA_SSL_CERT_FILE: pki.clientCertFile,
        KAFKA_SSL_KEY_FILE: pki.clientKeyFile,
      }),
      logger,
    );
    assert.deepEqual(options.ssl, {
      rejectUnauthorized: true,
      ca: [readFileSync(pki.caFile, 'utf8')],
      cert: readFileSync(pki.clientCertFile, 'utf8'),
      key: readFileSync(pki.clientKeyFile, 'utf8'),
    });
  });

  test('TLS against the system CAs; verification can be turned off explicitly', () => {
    assert.deepEqual(kafkaClientOptions(kafkaConfig({ KAFKA_SSL: 'true' }), logger).ssl, {
      rejectUnauthorized: true,
    });
    const off = kafkaClientOptions(
      kafkaConfig({ KAFKA_SSL: 'true', KAFKA_SSL_REJECT_UNAUTHORIZED: 'false' }),
      logger,
    );
    assert.deepEqual(off.ssl, { rejectUnauthorized: false });
  });

  test('an unreadable TLS file is a configuration error naming the variable, not the content', () => {
    const config = kafkaConfig({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: `${pki.dir}/missing.pem` });
    assert.throws(
      () => kafkaClientOptions(config, logger),
      (err: unknown) =>
        err instanceof ConfigError &&
        /^KAFKA_SSL_CA_FILE: cannot read .*missing\.pem/.test(err.problems[0] ?? ''),
    );
  });
});

describe('kafkajs TLS handshake with a real TLS server (mutual TLS)', () => {
  /**
   * A TLS listener that demands a client certificate signed by the test CA and records what
   * arrives: kafkajs must verify the server against KAFKA_SSL_CA_FILE, present
   * KAFKA_SSL_CERT_FILE, and then speak Kafka (its first request is ApiVersions, key 18).
   * Nothing answers, so the connection attempt itself fails; the test is about the handshake.
   */
  async function listen(): Promise<{
    port: number;
    seen: { authorized: boolean; peer: string; apiKey: number }[];
    close: () => Promise<void>;
  }> {
    const seen: { authorized: boolean; peer: string; apiKey: number }[] = [];
    const server = createServer(
      {
        key: readFileSync(pki.serverKeyFile),
        cert: readFileSync(pki.serverCertFile),
        ca: readFileSync(pki.caFile),
        requestCert: true,
        rejectUnauthorized: true,
      },
      (socket: TLSSocket) => {
        socket.once('data', (chunk: Buffer) => {
          seen.push({
            authorized: socket.authorized,
            peer: String(socket.getPeerCertificate().subject?.CN ?? ''),
            apiKey: chunk.readInt16BE(4),
          });
          socket.destroy();
        });
        socket.on('error', () => undefined);
      },
    );
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    assert.ok(address !== null && typeof address === 'object');
    return {
      port: address.port,
      seen,
      close: () => new Promise((resolve) => server.close(() => resolve())),
    };
  }

  /** kafkajs with exactly our options, except that a failed connection is not retried. */
  async function tryConnect(port: number, env: Record<string, string>): Promise<unknown> {
    const config = loadConfig({
      env: { KAFKA_BROKERS: `localhost:${port}`, KAFKA_SSL: 'true', ...env },
    }).kafka;
    const kafka = new Kafka({ ...kafkaClientOptions(config, logger), retry: { retries: 0 } });
    const admin = kafka.admin({ retry: { retries: 0 } });
    return admin.connect().then(
      () => assert.fail('nothing answers Kafka requests here'),
      (err: unknown) => err,
    );
  }

  test('verified both ways, then the first Kafka request travels encrypted', async () => {
    const server = await listen();
    try {
      await tryConnect(server.port, {
        KAFKA_SSL_CA_FILE: pki.caFile,
        KAFKA_SSL_CERT_FILE: pki.clientCertFile,
        KAFKA_SSL_KEY_FILE: pki.clientKeyFile,
      });
      assert.deepEqual(server.seen[0], {
        authorized: true,
        peer: pki.clientCommonName,
        apiKey: 18,
      });
    } finally {
      await server.close();
    }
  });

  test('a server certificate from another CA is refused before any request is sent', async () => {
    const server = await listen();
    try {
      const err = await tryConnect(server.port, {
        KAFKA_SSL_CA_FILE: pki.otherCaFile,
        KAFKA_SSL_CERT_FILE: pki.clientCertFile,
        KAFKA_SSL_KEY_FILE: pki.clientKeyFile,
      });
      assert.match(String(err), /certificate/i);
      assert.deepEqual(server.seen, []);
    } finally {
      await server.close();
    }
  });

  test('without the client certificate the server refuses the connection', async () => {
    const server = await listen();
    try {
      await tryConnect(server.port, { KAFKA_SSL_CA_FILE: pki.caFile });
      assert.deepEqual(server.seen, []);
    } finally {
      await server.close();
    }
  });
});
