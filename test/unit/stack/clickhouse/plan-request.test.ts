import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseHttpRequest } from '../../../stack/clickhouse/parse-request.ts';
import { planRequest } from '../../../stack/clickhouse/plan-request.ts';
import { multipartBoundary, parseMultipart } from '../../../stack/clickhouse/multipart-body.ts';

const limits = { inlineDataBytes: 1024 };

function plan(query: string, body: string | Buffer = '', method = 'POST') {
  const request = parseHttpRequest(method, new URL(`http://localhost/?${query}`), {}, () => 'id');
  return planRequest(request, Buffer.from(body), undefined, limits);
}

void describe('planRequest', () => {
  void test('an INSERT in the URL with its rows in the body takes the zero-copy path without copying', () => {
    const request = parseHttpRequest(
      'POST',
      new URL(
        `http://localhost/?query=${encodeURIComponent('INSERT INTO t (a) SETTINGS async_insert=1 FORMAT JSONEachRow')}&async_insert=0&max_threads=2`,
      ),
      {},
      () => 'id',
    );
    const body = Buffer.from('{"a":1}\n');
    const planned = planRequest(request, body, undefined, limits);
    assert.equal(planned.statement.kind, 'rawInsert');
    if (planned.statement.kind !== 'rawInsert') return;
    assert.equal(planned.statement.data, body);
    assert.deepEqual(planned.statement.target.columns, ['a']);
    // The INSERT's own SETTINGS win over URL settings; URL values become string literals.
    assert.deepEqual(
      [...planned.settings],
      [
        ['async_insert', '1'],
        ['max_threads', "'2'"],
      ],
    );
  });

  void test('an INSERT sent entirely in the body is cut at the data without decoding it', () => {
    const planned = plan('', 'INSERT INTO t FORMAT CSV\n1,"é"\n');
    assert.equal(planned.statement.kind, 'rawInsert');
    if (planned.statement.kind === 'rawInsert')
      assert.equal(planned.statement.data.toString(), '1,"é"\n');
  });

  void test('other text formats are inlined into the SQL, binary or large data goes through a file', () => {
    const inline = plan(`query=${encodeURIComponent('INSERT INTO t FORMAT Values')}`, "(1,'a')");
    assert.deepEqual(inline.statement, {
      kind: 'query',
      sql: "INSERT INTO t FORMAT Values\n(1,'a')",
    });
    const binary = plan(
      `query=${encodeURIComponent('INSERT INTO t SETTINGS x = 1 FORMAT RowBinary')}`,
      Buffer.from([0xff, 0xfe, 0x00]),
    );
    assert.equal(binary.statement.kind, 'fileInsert');
    if (binary.statement.kind === 'fileInsert') {
      assert.equal(binary.statement.sqlBefore, 'INSERT INTO t ');
      assert.equal(binary.statement.sqlAfter, 'SETTINGS x = 1 FORMAT RowBinary');
    }
    const large = plan(
      `query=${encodeURIComponent('INSERT INTO `x y` FORMAT CSV')}`,
      '1\n'.repeat(1000),
    );
    assert.equal(large.statement.kind, 'fileInsert');
  });

  void test('an INSERT without rows is a no-op that still checks the table', () => {
    assert.deepEqual(
      plan(`query=${encodeURIComponent('INSERT INTO t FORMAT JSONEachRow')}`).statement,
      {
        kind: 'emptyInsert',
        table: 't',
      },
    );
  });

  void test('the query parameter and the body form one query', () => {
    const planned = plan('query=SELECT', '1 FORMAT JSON');
    assert.deepEqual(planned.statement, { kind: 'query', sql: 'SELECT\n1 FORMAT JSON' });
    assert.equal(planned.outputFormat, 'JSON');
    assert.equal(plan('default_format=CSV', 'SELECT 1').outputFormat, 'CSV');
    assert.equal(plan('', 'SELECT 1').outputFormat, 'TabSeparated');
  });

  void test('refuses empty queries, multi-statements, writes over GET and SET readonly', () => {
    assert.throws(() => plan('', '  '), { code: 62 });
    assert.throws(() => plan('', 'SELECT 1; SELECT 2'), { code: 62, message: /Multi-statements/ });
    assert.throws(() => plan(`query=${encodeURIComponent('DROP TABLE t')}`, '', 'GET'), {
      code: 164,
    });
    assert.doesNotThrow(() => plan('query=SELECT+1', '', 'GET'));
    assert.throws(() => plan('', 'SET readonly = 1'), { code: 48 });
  });

  void test('multipart bodies carry the query and its parameters', () => {
    const boundary = '----b';
    const body = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="query"\r\n\r\nSELECT {x:String}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="param_x"\r\n\r\nvalue\r\n--${boundary}--\r\n`,
    );
    const fields = parseMultipart(
      body,
      multipartBoundary(`multipart/form-data; boundary=${boundary}`) ?? '',
    );
    const request = parseHttpRequest('POST', new URL('http://localhost/'), {}, () => 'id');
    const planned = planRequest(request, body, fields, limits);
    assert.deepEqual(planned.statement, { kind: 'query', sql: 'SELECT {x:String}' });
    assert.deepEqual([...planned.queryParams], [['x', 'value']]);
  });
});
