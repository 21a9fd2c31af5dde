import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../../src/config/load-config.ts';
import { createClickHouseClient } from '../../../src/sink/create-clickhouse-client.ts';
import { createTestPki, type TestPki } from '../../support/test-certificates.ts';
import { testStack, uniqueName } from '../../support/stack-env.ts';

// The local ClickHouse speaks plain HTTP, so a Node https server with a throw-away CA sits in
// front of it, demanding a client certificate (mutual TLS) and forwarding each request. The
// worker's own client (createClickHouseClient from CLICKHOUSE_TLS_* settings) must verify the
// server with the CA, present its certificate, and then write rows that land.
describe('ClickHouse over mutual TLS: CLICKHOUSE_TLS_CA_FILE, _CERT_FILE, _KEY_FILE', () => {
  const stack = testStack();
  const upstream = new URL(stack.clickhouse.url);
  let pki: TestPki;
  let server: Server;
  let port = 0;
  const clients: string[] = [];

  before(async () => {
    pki = await createTestPki();
    server = createServer(
      {
        key: readFileSync(pki.serverKeyFile),
        cert: readFileSync(pki.serverCertFile),
        ca: readFileSync(pki.caFile),
        requestCert: true,
        rejectUnauthorized: true,
      },
      (req, res) => {
        const socket = req.socket as TLSSocket;
        clients.push(`${socket.authorized}:${String(socket.getPeerCertificate().subject?.CN)}`);
        const forward = httpRequest(
          {
            host: upstream.hostname,
            port: upstream.port,
            method: req.method,
            path: req.url,
            headers: { ...req.headers, host: upstream.host },
          },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        forward.on('error', (err) => res.destroy(err));
        req.pipe(forward);
      },
    );
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    assert.ok(address !== null && typeof address === 'object');
    port = address.port;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(pki.dir, { recursive: true, force: true });
  });

  const client = (tls: Record<string, string>) => {
    const config = loadConfig({
      env: {
        KAFKA_BROKERS: stack.brokers.join(','),
        CLICKHOUSE_URL: `https://localhost:${port}`,
        CLICKHOUSE_USER: stack.clickhouse.username,
        CLICKHOUSE_PASSWORD: stack.clickhouse.password,
        INSERT_TIMEOUT_MS: '15000',
        ...tls,
      },
    });
    return createClickHouseClient(config.clickhouse, config.insert);
  };

  test('with CA, certificate and key: rows are written and read back through TLS', async () => {
    const ch = client({
      CLICKHOUSE_TLS_CA_FILE: pki.caFile,
      CLICKHOUSE_TLS_CERT_FILE: pki.clientCertFile,
      CLICKHOUSE_TLS_KEY_FILE: pki.clientKeyFile,
    });
    const table = uniqueName('tls');
    try {
      clients.length = 0;
      await ch.command({
        query: `CREATE TABLE ${table} (id UInt32, s String) ENGINE = MergeTree ORDER BY id`,
      });
      await ch.insert({
        table,
        values: Array.from({ length: 100 }, (_, i) => ({ id: i, s: `row-${i}` })),
        format: 'JSONEachRow',
      });
      const result = await ch.query({
        query: `SELECT count() AS n, sum(id) AS total FROM ${table}`,
        format: 'JSONEachRow',
      });
      const [row] = await result.json<{ n: number | string; total: number | string }>();
      assert.deepEqual([Number(row?.n), Number(row?.total)], [100, 4950]);
      assert.ok(clients.length >= 3);
      assert.deepEqual([...new Set(clients)], [`true:${pki.clientCommonName}`]);
    } finally {
      await ch.close();
    }
  });

  test('without the client certificate the server refuses the connection', async () => {
    const ch = client({ CLICKHOUSE_TLS_CA_FILE: pki.caFile });
    try {
      clients.length = 0;
      const ping = await ch.ping();
      assert.equal(ping.success, false);
      assert.deepEqual(clients, [], 'no request reached ClickHouse');
    } finally {
      await ch.close();
    }
  });

  test('a server certificate from another CA is refused by the client', async () => {
    const ch = client({
      CLICKHOUSE_TLS_CA_FILE: pki.otherCaFile,
      CLICKHOUSE_TLS_CERT_FILE: pki.clientCertFile,
      CLICKHOUSE_TLS_KEY_FILE: pki.clientKeyFile,
    });
    try {
      clients.length = 0;
      const ping = await ch.ping();
      assert.equal(ping.success, false);
      assert.match(ping.success ? '' : String(ping.error), /certificate/i);
      assert.deepEqual(clients, []);
    } finally {
      await ch.close();
    }
  });
});
