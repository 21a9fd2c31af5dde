import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { describe, test } from 'node:test';
import {
  decodeBody,
  encodeBody,
  requestCoding,
  responseCoding,
} from '../../../stack/clickhouse/http-compression.ts';
import { HttpSessionRegistry } from '../../../stack/clickhouse/http-sessions.ts';
import { multipartBoundary, parseMultipart } from '../../../stack/clickhouse/multipart-body.ts';
import { summaryHeader } from '../../../stack/clickhouse/query-summary.ts';
import { parseServerConfig } from '../../../stack/clickhouse/server-config.ts';
import {
  queryParamsStatement,
  quoteString,
  restoreStatement,
} from '../../../stack/clickhouse/sql-text.ts';
import { contentTypeFor } from '../../../stack/clickhouse/write-response.ts';

void describe('HTTP compression', () => {
  void test('negotiates the first acceptable coding', () => {
    assert.equal(responseCoding('gzip, deflate, br'), 'gzip');
    assert.equal(responseCoding('identity, br;q=0.5'), 'br');
    assert.equal(responseCoding('gzip;q=0, zstd'), 'zstd');
    assert.equal(responseCoding(undefined), undefined);
  });

  void test('reads request codings and refuses unknown ones with 779', () => {
    assert.equal(requestCoding('gzip'), 'gzip');
    assert.equal(requestCoding('identity'), undefined);
    assert.throws(() => requestCoding('lz4'), { code: 779 });
  });

  void test('round-trips and enforces the decompressed size limit', async () => {
    const data = Buffer.from('x'.repeat(10_000));
    for (const coding of ['gzip', 'deflate', 'br', 'zstd'] as const) {
      assert.deepEqual(await decodeBody(await encodeBody(data, coding), coding, 1 << 20), data);
    }
    await assert.rejects(decodeBody(gzipSync(data), 'gzip', 100), { code: 229 });
    await assert.rejects(decodeBody(Buffer.from('not gzip'), 'gzip', 100), { code: 271 });
  });
});

void describe('multipart bodies', () => {
  void test('reads fields and file names', () => {
    const body = Buffer.from(
      '--b\r\nContent-Disposition: form-data; name="query"\r\n\r\nSELECT 1\r\n' +
        '--b\r\nContent-Disposition: form-data; name="t"; filename="t.csv"\r\nContent-Type: text/csv\r\n\r\n1\r\n2\r\n--b--\r\n',
    );
    const fields = parseMultipart(
      body,
      multipartBoundary('multipart/form-data; boundary="b"') ?? '',
    );
    assert.deepEqual(
      fields.map((f) => [f.name, f.filename, f.value.toString()]),
      [
        ['query', undefined, 'SELECT 1'],
        ['t', 't.csv', '1\r\n2'],
      ],
    );
    assert.equal(multipartBoundary('text/plain'), undefined);
    assert.throws(() => parseMultipart(Buffer.from('--b\r\nbroken'), 'b'), { code: 36 });
  });
});

void describe('HTTP sessions', () => {
  void test('expire after their timeout and can be required to exist', () => {
    let now = 0;
    const sessions = new HttpSessionRegistry(() => now);
    const request = { id: 's', timeoutSeconds: 10, mustExist: false };
    sessions.open(request).settings.set('max_threads', '1');
    assert.equal(sessions.open({ ...request, mustExist: true }).settings.get('max_threads'), '1');
    now = 10_001;
    assert.throws(() => sessions.open({ ...request, mustExist: true }), { code: 372 });
    assert.equal(sessions.open(request).settings.size, 0);
  });
});

void describe('SQL the server writes', () => {
  void test('string literals survive backslashes and quotes', () => {
    assert.equal(quoteString("['it\\'s']"), "'[\\'it\\\\\\'s\\']'");
  });

  void test('restoring goes back to chDB’s start-up values or DEFAULT', () => {
    assert.equal(
      restoreStatement(['max_threads', 'implicit_select'], new Map([['implicit_select', '1']])),
      "SET max_threads = DEFAULT, implicit_select = '1'",
    );
    assert.equal(restoreStatement([], new Map()), undefined);
  });

  void test('query parameters are SET verbatim', () => {
    assert.equal(queryParamsStatement(new Map([['x', '\\N']])), "SET param_x = '\\\\N'");
  });
});

void describe('responses', () => {
  void test('summary numbers are strings, like the server sends them', () => {
    const summary = JSON.parse(
      summaryHeader({
        readRows: 1,
        readBytes: 2,
        writtenRows: 3,
        writtenBytes: 4,
        resultRows: 5,
        resultBytes: 6,
        elapsedSeconds: 0.5,
      }),
    ) as Record<string, string>;
    assert.equal(summary['written_rows'], '3');
    assert.equal(summary['elapsed_ns'], '500000000');
  });

  void test('content types follow the format', () => {
    assert.equal(contentTypeFor('TabSeparated'), 'text/tab-separated-values; charset=UTF-8');
    assert.equal(contentTypeFor('JSON'), 'application/json; charset=UTF-8');
    assert.equal(contentTypeFor('JSONEachRow'), 'application/x-ndjson; charset=UTF-8');
    assert.equal(contentTypeFor('CSVWithNames'), 'text/csv; charset=UTF-8; header=present');
    assert.equal(contentTypeFor('Parquet'), 'application/octet-stream');
  });
});

void describe('server config', () => {
  void test('takes options, the password from the environment, and reports every problem', () => {
    const config = parseServerConfig(['--data-dir', '/d', '--port', '8123'], {
      CLICKHOUSE_PASSWORD: 'pw',
    });
    assert.deepEqual(
      { ...config },
      { host: '127.0.0.1', port: 8123, dataDir: '/d', user: 'default', password: 'pw' },
    );
    assert.throws(
      () => parseServerConfig(['--port', 'x'], {}),
      /--port: 'x' is not a TCP port\n--data-dir: required/,
    );
    assert.throws(() => parseServerConfig(['--nope'], {}), /Unknown option '--nope'/);
  });
});
