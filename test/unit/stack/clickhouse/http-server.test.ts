import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { ExecutionResult } from '../../../stack/clickhouse/chdb-executor.ts';
import { ClickHouseServerError } from '../../../stack/clickhouse/clickhouse-error.ts';
import { ClickHouseHttpServer, type QueryExecutor } from '../../../stack/clickhouse/http-server.ts';
import type { ExecutionPlan } from '../../../stack/clickhouse/plan-request.ts';
import { EMPTY_SUMMARY } from '../../../stack/clickhouse/query-summary.ts';

/** Answers every plan with its own SQL, or fails on SQL containing FAIL; no engine involved. */
class EchoExecutor implements QueryExecutor {
  readonly version = '0.0-test';
  readonly timezone = 'UTC';
  readonly plans: ExecutionPlan[] = [];
  closed = false;

  async run(plan: ExecutionPlan): Promise<ExecutionResult> {
    this.plans.push(plan);
    const sql = plan.statement.kind === 'query' ? plan.statement.sql : plan.statement.kind;
    if (sql.includes('FAIL'))
      throw ClickHouseServerError.of('UNKNOWN_TABLE', 'Table default.FAIL does not exist');
    return Promise.resolve({
      body: Buffer.from(`${sql}\n`),
      summary: { ...EMPTY_SUMMARY, resultRows: 1 },
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

const executor = new EchoExecutor();
const server = new ClickHouseHttpServer({
  executor,
  users: new Map([['default', 'pw']]),
  log: { debug: () => undefined, info: () => undefined, error: () => undefined },
  maxBodyBytes: 1024,
});
let port = 0;
const auth = `Basic ${Buffer.from('default:pw').toString('base64')}`;

function send(
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'POST',
        headers: options.headers ?? {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

void before(async () => {
  ({ port } = await server.listen(0, '127.0.0.1'));
});

void after(async () => {
  await server.stop();
});

void describe('ClickHouseHttpServer (with a stand-in engine)', () => {
  void test('/ping and / answer Ok. without credentials', async () => {
    assert.equal((await send('/ping', { method: 'GET' })).body.toString(), 'Ok.\n');
    assert.equal((await send('/', { method: 'GET' })).body.toString(), 'Ok.\n');
  });

  void test('credentials are checked before anything else in the request', async () => {
    const reply = await send('/?no%20such=1', {
      body: 'SELECT 1',
      headers: { authorization: 'Basic ZGVmYXVsdDp3cm9uZw==' },
    });
    assert.equal(reply.status, 403);
    assert.equal(reply.headers['x-clickhouse-exception-code'], '516');
  });

  void test('a successful query carries the ClickHouse headers', async () => {
    const reply = await send('/?query_id=abc&default_format=JSON', {
      body: 'SELECT 1',
      headers: { authorization: auth },
    });
    assert.equal(reply.status, 200);
    assert.equal(reply.body.toString(), 'SELECT 1\n');
    assert.equal(reply.headers['x-clickhouse-query-id'], 'abc');
    assert.equal(reply.headers['x-clickhouse-format'], 'JSON');
    assert.equal(reply.headers['x-clickhouse-timezone'], 'UTC');
    const summary = JSON.parse(String(reply.headers['x-clickhouse-summary'])) as {
      result_rows: string;
    };
    assert.equal(summary.result_rows, '1');
  });

  void test('engine errors keep their code, with the real server’s status', async () => {
    const reply = await send('/', { body: 'SELECT * FROM FAIL', headers: { authorization: auth } });
    assert.equal(reply.status, 404);
    assert.equal(reply.headers['x-clickhouse-exception-code'], '60');
    assert.equal(
      reply.body.toString(),
      'Code: 60. DB::Exception: Table default.FAIL does not exist. (UNKNOWN_TABLE) (version 0.0-test)\n',
    );
  });

  void test('responses are gzipped only when asked with enable_http_compression', async () => {
    const headers = { authorization: auth, 'accept-encoding': 'gzip' };
    const plain = await send('/', { body: 'SELECT 2', headers });
    assert.equal(plain.headers['content-encoding'], undefined);
    const zipped = await send('/?enable_http_compression=1', { body: 'SELECT 2', headers });
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(zipped.body).toString(), 'SELECT 2\n');
  });

  void test('an oversized body gets QUERY_IS_TOO_LARGE, and the server keeps serving', async () => {
    const reply = await send('/', {
      body: `SELECT '${'x'.repeat(4096)}'`,
      headers: { authorization: auth },
    });
    assert.equal(reply.status, 413);
    assert.equal(reply.headers['x-clickhouse-exception-code'], '229');
    assert.equal(
      (await send('/', { body: 'SELECT 3', headers: { authorization: auth } })).status,
      200,
    );
  });

  void test('garbage never reaches the engine', async () => {
    const before = executor.plans.length;
    assert.equal(
      (
        await send('/', {
          body: 'SELECT 1',
          headers: { authorization: auth, 'content-encoding': 'gzip' },
        })
      ).status,
      500,
    );
    assert.equal((await send('/', { body: '', headers: { authorization: auth } })).status, 400);
    assert.equal(
      (await send('/', { method: 'PUT', body: 'SELECT 1', headers: { authorization: auth } }))
        .status,
      501,
    );
    assert.equal(executor.plans.length, before);
  });
});
