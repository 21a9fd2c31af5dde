import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ClickHouseServerError,
  httpStatusFor,
  toClickHouseError,
} from '../../../stack/clickhouse/clickhouse-error.ts';

void describe('ClickHouse errors', () => {
  void test('keeps the engine text and parses its code and type', () => {
    const engine = Object.assign(
      new Error('Code: 60. DB::Exception: Unknown table default.x. (UNKNOWN_TABLE)'),
      {
        clickhouseCode: 60,
      },
    );
    const error = toClickHouseError(engine);
    assert.equal(error.code, 60);
    assert.equal(error.type, 'UNKNOWN_TABLE');
    assert.equal(
      error.responseText('26.7'),
      'Code: 60. DB::Exception: Unknown table default.x. (UNKNOWN_TABLE) (version 26.7)\n',
    );
  });

  void test('words its own errors like the server does', () => {
    const error = ClickHouseServerError.of('SYNTAX_ERROR', 'Empty query');
    assert.equal(error.message, 'Code: 62. DB::Exception: Empty query. (SYNTAX_ERROR)');
  });

  void test('anything else becomes UNKNOWN_EXCEPTION with a parsable text', () => {
    const error = toClickHouseError(new TypeError('boom'));
    assert.equal(error.code, 1002);
    assert.match(error.message, /^Code: 1002\. DB::Exception: boom\. \(UNKNOWN_EXCEPTION\)$/);
  });

  void test('maps codes to the statuses of exceptionCodeToHTTPStatus', () => {
    assert.equal(httpStatusFor(516), 403);
    assert.equal(httpStatusFor(194), 401);
    assert.equal(httpStatusFor(62), 400);
    assert.equal(httpStatusFor(60), 404);
    assert.equal(httpStatusFor(81), 404);
    assert.equal(httpStatusFor(115), 404);
    assert.equal(httpStatusFor(229), 413);
    assert.equal(httpStatusFor(48), 501);
    assert.equal(httpStatusFor(159), 408);
    assert.equal(httpStatusFor(241), 500);
  });
});
