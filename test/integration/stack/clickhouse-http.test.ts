/**
 * The local ClickHouse HTTP endpoint, driven the way the worker drives
 * ClickHouse: through @clickhouse/client over HTTP, from several processes.
 *
 * Uses the run's stack when CLICKHOUSE_URL (+ CLICKHOUSE_USER, CLICKHOUSE_PASSWORD)
 * is set; otherwise starts its own endpoint in a temporary directory.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import {
  ClickHouseError,
  ClickHouseLogLevel,
  createClient,
  type ClickHouseClient,
  type ClickHouseClientConfigOptions,
} from '@clickhouse/client';
import { startClickHouse } from '../../stack/clickhouse/clickhouse-server.ts';
import { testedClickHouseVersion } from '../../stack/tested-versions.ts';
import type { ClickHouseService } from '../../stack/types.ts';

const WRITER = fileURLToPath(
  new URL('../../fixtures/clickhouse/concurrent-writer.ts', import.meta.url),
);

interface Endpoint {
  readonly url: string;
  readonly username: string;
  readonly password: string;
}

let endpoint: Endpoint;
let ownServer: ClickHouseService | undefined;
const scratchDirs: string[] = [];
const clients: ClickHouseClient[] = [];

async function scratchDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'clickhouse-http-test-'));
  scratchDirs.push(dir);
  return dir;
}

function uniqueTable(purpose: string): string {
  return `test_${purpose}_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
}

/** 64-bit integers come back as JSON strings whatever the server's default (it changed in 25.x). */
function client(
  options: ClickHouseClientConfigOptions = {},
  target: Endpoint = endpoint,
): ClickHouseClient {
  const created = createClient({
    url: target.url,
    username: target.username,
    password: target.password,
    // Expected failures are asserted on; the client need not also log them.
    log: { level: ClickHouseLogLevel.OFF },
    ...options,
    clickhouse_settings: {
      output_format_json_quote_64bit_integers: 1,
      ...options.clickhouse_settings,
    },
  });
  clients.push(created);
  return created;
}

async function rows<T>(
  ch: ClickHouseClient,
  query: string,
  query_params?: Record<string, unknown>,
): Promise<T[]> {
  const result = await ch.query({
    query,
    format: 'JSONEachRow',
    ...(query_params ? { query_params } : {}),
  });
  return result.json<T>();
}

function basicAuth(target: Endpoint = endpoint): string {
  return `Basic ${Buffer.from(`${target.username}:${target.password}`).toString('base64')}`;
}

async function expectClickHouseError(
  promise: Promise<unknown>,
  code: string,
  type: string,
): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ClickHouseError, `expected a ClickHouseError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.equal(error.type, type);
    return true;
  });
}

void before(async () => {
  const url = process.env['CLICKHOUSE_URL'];
  if (url !== undefined && url !== '') {
    endpoint = {
      url,
      username: process.env['CLICKHOUSE_USER'] ?? 'default',
      password: process.env['CLICKHOUSE_PASSWORD'] ?? '',
    };
    return;
  }
  const dir = await scratchDir();
  ownServer = await startClickHouse({
    dataDir: join(dir, 'data'),
    password: 'local-test-password',
  });
  endpoint = ownServer;
});

void after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await ownServer?.stop();
  await Promise.all(scratchDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

void describe('local ClickHouse HTTP endpoint', () => {
  void test(
    'two processes insert and read concurrently, and every row lands exactly once',
    { timeout: 120_000 },
    async () => {
      const table = uniqueTable('concurrent');
      const ch = client();
      await ch.command({
        query: `CREATE TABLE ${table} (id UInt64, worker UInt8, value UInt64) ENGINE = MergeTree ORDER BY id`,
      });
      const batches = 25;
      const rowsPerBatch = 400;
      const writers = [1, 2].map((worker) =>
        spawn(process.execPath, [WRITER], {
          env: {
            ...process.env,
            CLICKHOUSE_URL: endpoint.url,
            CLICKHOUSE_USER: endpoint.username,
            CLICKHOUSE_PASSWORD: endpoint.password,
            TABLE: table,
            WORKER: String(worker),
            BATCHES: String(batches),
            ROWS: String(rowsPerBatch),
          },
          stdio: ['pipe', 'pipe', 'inherit'],
        }),
      );
      const outputs = writers.map((writer) =>
        createInterface({ input: writer.stdout })[Symbol.asyncIterator](),
      );
      // Both are connected before either writes, so their requests really interleave.
      for (const output of outputs) assert.equal((await output.next()).value, 'ready');
      for (const writer of writers) writer.stdin.end('go\n');
      const reports = await Promise.all(
        writers.map(async (writer, i) => {
          const line = await outputs[i]?.next();
          const [code] = (await once(writer, 'exit')) as [number | null];
          assert.equal(code, 0, `writer ${i + 1} failed`);
          return JSON.parse(String(line?.value)) as {
            rows: number;
            sum: number;
            startedAt: number;
            finishedAt: number;
          };
        }),
      );
      const [first, second] = reports;
      assert.ok(first && second);
      assert.ok(
        first.startedAt < second.finishedAt && second.startedAt < first.finishedAt,
        'the writers overlapped',
      );

      const perWorkerRows = batches * rowsPerBatch;
      const perWorkerSum = (perWorkerRows * (perWorkerRows - 1)) / 2;
      assert.deepEqual(
        reports.map((r) => [r.rows, r.sum]),
        [
          [perWorkerRows, perWorkerSum],
          [perWorkerRows, perWorkerSum],
        ],
      );
      const [totals] = await rows<{ n: string; ids: string; total: string }>(
        ch,
        `SELECT count() AS n, uniqExact(id) AS ids, sum(value) AS total FROM ${table}`,
      );
      assert.deepEqual(totals, {
        n: String(2 * perWorkerRows),
        ids: String(2 * perWorkerRows),
        total: String(2 * perWorkerSum),
      });
    },
  );

  void test('the engine is the ClickHouse release compose pins (tested-versions.ts)', async () => {
    const [row] = await rows<{ v: string }>(client(), 'SELECT version() AS v');
    assert.ok(row?.v.startsWith(`${testedClickHouseVersion()}.`), `${row?.v}`);
  });

  void test('{name:Type} query parameters bind exactly as on a real server', async () => {
    const ch = client();
    const awkward = `it's a "test"\twith a tab, a \\ backslash and\na newline`;
    const [bound] = await rows<Record<string, unknown>>(
      ch,
      'SELECT {s:String} AS s, {n:UInt64} AS n, {list:Array(String)} AS list, {missing:Nullable(String)} AS missing, ' +
        '{at:DateTime} AS at',
      {
        s: awkward,
        n: 42,
        list: ["a'b", 'c'],
        missing: null,
        at: new Date('2026-01-02T03:04:05Z'),
      },
    );
    assert.deepEqual(bound, {
      s: awkward,
      n: '42',
      list: ["a'b", 'c'],
      missing: null,
      at: '2026-01-02 03:04:05',
    });

    const table = uniqueTable('params');
    await ch.command({
      query: `CREATE TABLE ${table} (k String, v UInt32) ENGINE = MergeTree ORDER BY k`,
    });
    await ch.insert({
      table,
      values: [
        { k: 'a', v: 1 },
        { k: "b'", v: 2 },
        { k: 'c', v: 3 },
      ],
      format: 'JSONEachRow',
    });
    const picked = await rows<{ k: string }>(
      ch,
      `SELECT k FROM ${table} WHERE k IN {keys:Array(String)} ORDER BY k`,
      {
        keys: ["b'", 'c'],
      },
    );
    assert.deepEqual(picked, [{ k: "b'" }, { k: 'c' }]);
    // Parameters do not outlive their request.
    await expectClickHouseError(
      ch.query({ query: 'SELECT {s:String}' }),
      '456',
      'UNKNOWN_QUERY_PARAMETER',
    );
  });

  void test('gzip-compressed inserts and gzip responses', async () => {
    const table = uniqueTable('gzip');
    const ch = client({ compression: { request: true, response: true } });
    await ch.command({
      query: `CREATE TABLE ${table} (id UInt32, text String) ENGINE = MergeTree ORDER BY id`,
    });
    const values = Array.from({ length: 5000 }, (_, id) => ({ id, text: `row ${id} `.repeat(10) }));
    const inserted = await ch.insert({ table, values, format: 'JSONEachRow' });
    assert.equal(inserted.summary?.written_rows, '5000');

    const result = await ch.query({
      query: `SELECT count() AS n, sum(id) AS s FROM ${table}`,
      format: 'JSONEachRow',
    });
    assert.equal(result.response_headers['content-encoding'], 'gzip');
    assert.deepEqual(await result.json(), [{ n: '5000', s: String((5000 * 4999) / 2) }]);

    // The same over plain HTTP, checking the wire.
    const body = gzipSync(`INSERT INTO ${table} FORMAT CSV\n9001,"raw"\n`);
    const insert = await fetch(`${endpoint.url}/`, {
      method: 'POST',
      headers: { authorization: basicAuth(), 'content-encoding': 'gzip' },
      body,
    });
    assert.equal(insert.status, 200, await insert.text());
    const query = `SELECT text FROM ${table} WHERE id = 9001 FORMAT TabSeparated`;
    const read = await fetch(
      `${endpoint.url}/?enable_http_compression=1&query=${encodeURIComponent(query)}`,
      {
        headers: { authorization: basicAuth(), 'accept-encoding': 'gzip' },
      },
    );
    assert.equal(read.headers.get('content-encoding'), 'gzip');
    assert.equal(await read.text(), 'raw\n');
  });

  void test('formats chDB cannot take zero-copy: Parquet through a file, others inline', async () => {
    const table = uniqueTable('formats');
    const ch = client();
    await ch.command({
      query: `CREATE TABLE ${table} (id UInt32, name String) ENGINE = MergeTree ORDER BY id`,
    });
    const parquet = await ch.exec({
      query:
        "SELECT toUInt32(number) AS id, concat('p', toString(number)) AS name FROM numbers(1000) FORMAT Parquet",
    });
    const chunks: Buffer[] = [];
    for await (const chunk of parquet.stream) chunks.push(chunk as Buffer);
    const inserted = await ch.insert({
      table,
      values: Readable.from([Buffer.concat(chunks)], { objectMode: false }),
      format: 'Parquet',
    });
    assert.equal(inserted.summary?.written_rows, '1000');
    await ch.insert({
      table,
      values: [{ id: '5000', name: 'strings' }],
      format: 'JSONStringsEachRow',
    });
    await ch.command({ query: `INSERT INTO ${table} VALUES (6000, 'values')` });
    assert.deepEqual(
      await rows(
        ch,
        `SELECT count() AS n, sum(id) AS s, countIf(name = 'p999') AS p FROM ${table}`,
      ),
      [{ n: '1002', s: String((1000 * 999) / 2 + 5000 + 6000), p: '1' }],
    );
  });

  void test('errors carry the ClickHouse code, type and HTTP status', async () => {
    const ch = client();
    const missing = uniqueTable('missing');
    await expectClickHouseError(
      ch.query({ query: `SELECT * FROM ${missing}` }),
      '60',
      'UNKNOWN_TABLE',
    );
    await expectClickHouseError(
      ch.insert({ table: missing, values: [{ a: 1 }], format: 'JSONEachRow' }),
      '60',
      'UNKNOWN_TABLE',
    );
    await expectClickHouseError(ch.command({ query: 'SELEC 1' }), '62', 'SYNTAX_ERROR');
    await expectClickHouseError(ch.query({ query: 'SELECT 1; SELECT 2' }), '62', 'SYNTAX_ERROR');
    await expectClickHouseError(
      ch.query({ query: 'SELECT 1', clickhouse_settings: { no_such_setting_x: 1 } }),
      '115',
      'UNKNOWN_SETTING',
    );

    const response = await fetch(
      `${endpoint.url}/?query=${encodeURIComponent(`SELECT * FROM ${missing}`)}`,
      {
        headers: { authorization: basicAuth() },
      },
    );
    assert.equal(response.status, 404);
    assert.equal(response.headers.get('x-clickhouse-exception-code'), '60');
    assert.match(
      await response.text(),
      /^Code: 60\. DB::Exception: .*\(UNKNOWN_TABLE\) \(version [\d.]+\)\n$/,
    );
    // The server is still fine afterwards.
    assert.deepEqual(await rows(ch, 'SELECT 1 AS one'), [{ one: 1 }]);
  });

  void test('settings apply to one request only: a retried insert is deduplicated, the next one is not', async () => {
    const table = uniqueTable('dedup');
    const ch = client();
    await ch.command({
      query:
        `CREATE TABLE ${table} (id UInt32, batch String) ENGINE = MergeTree ORDER BY id ` +
        'SETTINGS non_replicated_deduplication_window = 100',
    });
    const batchA = [
      { id: 1, batch: 'a' },
      { id: 2, batch: 'a' },
    ];
    const token = { insert_deduplication_token: `token-${randomUUID()}` };
    await ch.insert({ table, values: batchA, format: 'JSONEachRow', clickhouse_settings: token });
    await ch.insert({ table, values: batchA, format: 'JSONEachRow', clickhouse_settings: token }); // the retry
    // Had the token leaked into this request, this different batch would be dropped as a duplicate.
    await ch.insert({ table, values: [{ id: 3, batch: 'b' }], format: 'JSONEachRow' });
    assert.deepEqual(
      await rows(ch, `SELECT batch, count() AS n FROM ${table} GROUP BY batch ORDER BY batch`),
      [
        { batch: 'a', n: '2' },
        { batch: 'b', n: '1' },
      ],
    );

    const probe =
      "SELECT toString(getSetting('max_threads')) AS threads, getSetting('insert_deduplication_token') AS token";
    const [usual] = await rows<{ threads: string; token: string }>(ch, probe);
    assert.equal(usual?.token, '');
    const overridden = await ch.query({
      query: probe,
      format: 'JSONEachRow',
      clickhouse_settings: { max_threads: 1, insert_deduplication_token: 'x' },
    });
    assert.deepEqual(await overridden.json(), [{ threads: '1', token: 'x' }]);
    assert.deepEqual(await rows(ch, probe), [usual]);
  });

  void test('SET inside a session_id lasts for that session only', async () => {
    const session = client({ session_id: `session-${randomUUID()}` });
    const other = client();
    await session.command({ query: "SET format_csv_delimiter = ';'" });
    const probe = "SELECT getSetting('format_csv_delimiter') AS d";
    assert.deepEqual(await rows(session, probe), [{ d: ';' }]);
    assert.deepEqual(await rows(other, probe), [{ d: ',' }]);
    assert.deepEqual(await rows(session, probe), [{ d: ';' }]);
  });

  void test('a wrong password fails with AUTHENTICATION_FAILED (516)', async () => {
    const intruder = client({ password: `${endpoint.password}-wrong` });
    await expectClickHouseError(
      intruder.query({ query: 'SELECT 1' }),
      '516',
      'AUTHENTICATION_FAILED',
    );
    assert.equal((await intruder.ping({ select: true })).success, false);
    assert.equal(
      (await intruder.ping()).success,
      true,
      '/ping needs no credentials, as on a real server',
    );
    const response = await fetch(`${endpoint.url}/?query=SELECT+1`, {
      headers: { 'x-clickhouse-user': endpoint.username, 'x-clickhouse-key': 'wrong' },
    });
    assert.equal(response.status, 403);
    assert.equal(response.headers.get('x-clickhouse-exception-code'), '516');
  });

  void test('responses carry the ClickHouse headers', async () => {
    const queryId = randomUUID();
    const response = await fetch(
      `${endpoint.url}/?query_id=${queryId}&default_format=JSONEachRow`,
      {
        method: 'POST',
        headers: { authorization: basicAuth() },
        body: 'SELECT 1 AS x',
      },
    );
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-clickhouse-query-id'), queryId);
    assert.equal(response.headers.get('x-clickhouse-format'), 'JSONEachRow');
    assert.ok(response.headers.get('x-clickhouse-timezone'));
    const summary = JSON.parse(response.headers.get('x-clickhouse-summary') ?? '{}') as Record<
      string,
      string
    >;
    assert.equal(summary['result_rows'], '1');
    assert.match(response.headers.get('keep-alive') ?? '', /timeout=10/);
    assert.equal(await response.text(), '{"x":1}\n');
    assert.equal(await (await fetch(`${endpoint.url}/ping`)).text(), 'Ok.\n');
  });

  void test(
    'stop() then start() keeps the data, on the same address',
    { timeout: 120_000 },
    async () => {
      const dir = await scratchDir();
      const server = await startClickHouse({
        dataDir: join(dir, 'data'),
        username: 'restart',
        password: 'pw',
      });
      try {
        const ch = client({}, server);
        const table = uniqueTable('restart');
        await ch.command({
          query: `CREATE TABLE ${table} (id UInt32) ENGINE = MergeTree ORDER BY id`,
        });
        await ch.insert({
          table,
          values: [{ id: 1 }, { id: 2 }, { id: 3 }],
          format: 'JSONEachRow',
        });

        await server.stop();
        await assert.rejects(fetch(`${server.url}/ping`), 'the endpoint is down while stopped');
        assert.equal((await ch.ping()).success, false);

        await server.start();
        assert.deepEqual(await rows(ch, `SELECT count() AS n, sum(id) AS s FROM ${table}`), [
          { n: '3', s: '6' },
        ]);
      } finally {
        await server.stop();
      }
    },
  );
});
