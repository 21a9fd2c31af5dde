import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analyzeStatement } from '../../../stack/clickhouse/analyze-statement.ts';

void describe('analyzeStatement', () => {
  void test('reads the keyword and a trailing FORMAT clause', () => {
    const analysis = analyzeStatement(
      "select a, format(b) from t where x = 'FORMAT CSV' \nFORMAT JSONEachRow",
    );
    assert.equal(analysis.keyword, 'SELECT');
    assert.equal(analysis.outputFormat, 'JSONEachRow');
    assert.equal(analysis.multiStatement, false);
    assert.equal(analysis.insertData, undefined);
  });

  void test('FORMAT may be followed by SETTINGS; a column called format is not a format', () => {
    assert.equal(
      analyzeStatement('SELECT 1 FORMAT CSV SETTINGS max_threads = 1').outputFormat,
      'CSV',
    );
    assert.equal(analyzeStatement('SELECT format FROM t').outputFormat, undefined);
  });

  void test('spots a second statement but not a trailing semicolon, comment or string', () => {
    assert.equal(analyzeStatement('SELECT 1;').multiStatement, false);
    assert.equal(analyzeStatement('SELECT 1;; -- done\n').multiStatement, false);
    assert.equal(analyzeStatement("SELECT ';' /* ; */").multiStatement, false);
    assert.equal(analyzeStatement('SET max_threads = 1; SELECT 1').multiStatement, true);
  });

  void test('finds where INSERT … FORMAT data starts, using ClickHouse’s whitespace rule', () => {
    const text = 'INSERT INTO db.t (a, b) FORMAT CSV  \n1,2\n';
    const data = analyzeStatement(text).insertData;
    assert.ok(data);
    assert.equal(text.slice(data.dataStart), '1,2\n');
    assert.equal(data.format, 'CSV');
    assert.deepEqual(data.rawTarget, {
      table: 'db.t',
      columns: ['a', 'b'],
      settings: [],
      format: 'CSV',
    });
  });

  void test('only one line break is skipped before data', () => {
    const text = 'INSERT INTO t FORMAT TSV\r\n\n1\n';
    const data = analyzeStatement(text).insertData;
    assert.equal(text.slice(data?.dataStart), '\n1\n');
  });

  void test('keeps an INSERT’s SETTINGS as written and says where FROM INFILE belongs', () => {
    const text =
      "INSERT INTO t SETTINGS async_insert = 1, format_csv_delimiter = ';', x = -2 FORMAT CSV\n1;2";
    const data = analyzeStatement(text).insertData;
    assert.deepEqual(data?.rawTarget?.settings, [
      { name: 'async_insert', literal: '1' },
      { name: 'format_csv_delimiter', literal: "';'" },
      { name: 'x', literal: '-2' },
    ]);
    assert.equal(text.slice(data?.infileAt), text.slice(text.indexOf('SETTINGS')));
  });

  void test('formats and names chDB cannot take zero-copy are left to SQL', () => {
    assert.equal(
      analyzeStatement('INSERT INTO t FORMAT Parquet\nPAR1').insertData?.rawTarget,
      undefined,
    );
    assert.equal(
      analyzeStatement('INSERT INTO `my table` FORMAT CSV\n1').insertData?.rawTarget,
      undefined,
    );
    assert.equal(
      analyzeStatement('INSERT INTO t (* EXCEPT (a)) FORMAT CSV\n1').insertData?.rawTarget,
      undefined,
    );
    assert.equal(
      analyzeStatement("INSERT INTO FUNCTION file('x') FORMAT CSV\n1").insertData?.rawTarget,
      undefined,
    );
    assert.deepEqual(
      analyzeStatement('INSERT INTO TABLE `t1` FORMAT JSONEachRow {}').insertData?.rawTarget?.table,
      't1',
    );
  });

  void test('VALUES data starts right after the keyword; INSERT … SELECT has no data', () => {
    const text = "INSERT INTO t VALUES (1, 'a;b'); ignored";
    assert.equal(text.slice(analyzeStatement(text).insertData?.dataStart), " (1, 'a;b'); ignored");
    const select = analyzeStatement('INSERT INTO t SELECT * FROM s FORMAT CSV');
    assert.equal(select.insertData, undefined);
    assert.equal(select.keyword, 'INSERT');
  });

  void test('data may contain anything, including semicolons and quotes', () => {
    const analysis = analyzeStatement('INSERT INTO t FORMAT TSV\n\'; DROP TABLE x; "\n');
    assert.equal(analysis.multiStatement, false);
    assert.ok(analysis.insertData);
  });

  void test('empty text and unterminated strings do not throw', () => {
    assert.equal(analyzeStatement('  -- nothing\n').keyword, '');
    assert.equal(analyzeStatement("SELECT 'oops").keyword, 'SELECT');
  });
});
