import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { authenticate, readCredentials } from '../../../stack/clickhouse/credentials.ts';
import { parseHttpRequest } from '../../../stack/clickhouse/parse-request.ts';

function parse(query: string, headers: Record<string, string> = {}, method = 'POST') {
  return parseHttpRequest(
    method,
    new URL(`http://localhost/?${query}`),
    headers,
    () => 'generated-id',
  );
}

void describe('parseHttpRequest', () => {
  void test('splits URL parameters into reserved ones, query parameters and settings', () => {
    const request = parse(
      'query=SELECT+1&query_id=q1&database=db&default_format=JSON&param_x=it%5C%27s&async_insert=1' +
        '&insert_deduplication_token=t&wait_end_of_query=1&enable_http_compression=1&http_zlib_compression_level=5',
    );
    assert.equal(request.query, 'SELECT 1');
    assert.equal(request.queryId, 'q1');
    assert.equal(request.database, 'db');
    assert.equal(request.defaultFormat, 'JSON');
    assert.deepEqual([...request.queryParams], [['x', "it\\'s"]]);
    assert.deepEqual(
      [...request.settings],
      [
        ['async_insert', '1'],
        ['insert_deduplication_token', 't'],
      ],
    );
    assert.deepEqual(request.http, {
      compressResponse: true,
      compressionLevel: 5,
      readOnly: false,
    });
  });

  void test('GET and readonly=1 are read-only; a query id is generated when missing', () => {
    assert.equal(parse('query=SELECT+1', {}, 'GET').http.readOnly, true);
    assert.equal(parse('readonly=1').http.readOnly, true);
    assert.equal(parse('').queryId, 'generated-id');
  });

  void test('sessions carry their timeout and check flag', () => {
    assert.deepEqual(parse('session_id=s&session_timeout=5&session_check=1').session, {
      id: 's',
      timeoutSeconds: 5,
      mustExist: true,
    });
    assert.throws(() => parse('session_id=s&session_timeout=99999'), { code: 374 });
    assert.throws(() => parse('session_id=s&session_timeout=abc'), { code: 374 });
  });

  void test('refuses malformed setting names and native compression', () => {
    assert.throws(() => parse('bad%20name=1'), { code: 115 });
    assert.throws(() => parse('compress=1'), { code: 48 });
    assert.throws(() => parse('param_x%3By=1'), { code: 36 });
  });

  void test('database and default format can come from headers', () => {
    const request = parse('', { 'x-clickhouse-database': 'h', 'x-clickhouse-format': 'CSV' });
    assert.equal(request.database, 'h');
    assert.equal(request.defaultFormat, 'CSV');
  });
});

void describe('credentials', () => {
  const basic = (user: string, password: string) =>
    `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

  void test('read from Basic auth, X-ClickHouse headers or URL parameters', () => {
    const none = new URLSearchParams();
    assert.deepEqual(readCredentials({ authorization: basic('u', 'p:w') }, none), {
      user: 'u',
      password: 'p:w',
    });
    assert.deepEqual(readCredentials({ 'x-clickhouse-user': 'u', 'x-clickhouse-key': 'k' }, none), {
      user: 'u',
      password: 'k',
    });
    assert.deepEqual(readCredentials({}, new URLSearchParams('user=u&password=p')), {
      user: 'u',
      password: 'p',
    });
    assert.deepEqual(readCredentials({}, none), { user: 'default', password: '' });
  });

  void test('mixing two ways, or a Bearer token, fails with 516', () => {
    assert.throws(
      () => readCredentials({ authorization: basic('u', 'p') }, new URLSearchParams('user=u')),
      { code: 516 },
    );
    assert.throws(() => readCredentials({ authorization: 'Bearer abc' }, new URLSearchParams()), {
      code: 516,
    });
  });

  void test('authenticate checks user and password', () => {
    const users = new Map([['default', 'secret']]);
    authenticate({ user: 'default', password: 'secret' }, users);
    assert.throws(() => authenticate({ user: 'default', password: 'nope' }, users), {
      code: 516,
      type: 'AUTHENTICATION_FAILED',
    });
    assert.throws(() => authenticate({ user: 'other', password: 'secret' }, users), { code: 516 });
  });
});
