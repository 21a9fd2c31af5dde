import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ClickHouseError } from '@clickhouse/client';
import {
  BAD_DATA_CODES,
  CONFIGURATION_CODES,
  classifyInsertError,
  insertErrorLabel,
  isRetriedAsIs,
} from '../../../src/sink/classify-insert-error.ts';

const chError = (code: number, type: string, text = 'x'): ClickHouseError =>
  new ClickHouseError({
    message: `Code: ${code}. DB::Exception: ${text}. (${type})`,
    code: String(code),
    type,
  });

describe('classifyInsertError', () => {
  test('parse, type and row-level errors are bad data (split, then dead-letter the row)', () => {
    for (const [code, type] of [
      [27, 'CANNOT_PARSE_INPUT_ASSERTION_FAILED'],
      [6, 'CANNOT_PARSE_TEXT'],
      [53, 'TYPE_MISMATCH'],
      [376, 'CANNOT_PARSE_UUID'],
      [41, 'CANNOT_PARSE_DATETIME'],
      [407, 'DECIMAL_OVERFLOW'],
      [306, 'TOO_DEEP_RECURSION'],
      [395, 'FUNCTION_THROW_IF_VALUE_IS_NON_ZERO'],
    ] as const) {
      assert.equal(classifyInsertError(chError(code, type)), 'bad-data', type);
    }
    for (const code of BAD_DATA_CODES)
      assert.equal(classifyInsertError(chError(code, 'X')), 'bad-data');
  });

  test('too many partitions in one block is split, never retried as it is', () => {
    const err = chError(
      252,
      'TOO_MANY_PARTS',
      'Too many partitions for single INSERT block (more than 100). The limit is controlled by max_partitions_per_insert_block setting',
    );
    assert.equal(classifyInsertError(err), 'block-too-large');
    assert.equal(isRetriedAsIs('block-too-large'), false);
  });

  test('too many parts in a partition (merges behind) is transient: wait and retry', () => {
    const err = chError(
      252,
      'TOO_MANY_PARTS',
      'Too many parts (3001 with average size of 1.00 KiB) in table',
    );
    assert.equal(classifyInsertError(err), 'transient');
  });

  test('a missing table, grants, auth and settings refused are configuration: retried, data kept', () => {
    for (const [code, type] of [
      [60, 'UNKNOWN_TABLE'],
      [81, 'UNKNOWN_DATABASE'],
      [516, 'AUTHENTICATION_FAILED'],
      [497, 'ACCESS_DENIED'],
      [16, 'NO_SUCH_COLUMN_IN_TABLE'],
      [452, 'SETTING_CONSTRAINT_VIOLATION'],
      [164, 'READONLY'],
    ] as const) {
      assert.equal(classifyInsertError(chError(code, type)), 'configuration', type);
    }
    for (const code of CONFIGURATION_CODES) {
      assert.equal(classifyInsertError(chError(code, 'X')), 'configuration');
      assert.equal(BAD_DATA_CODES.has(code), false, `code ${code} is in both lists`);
    }
    assert.equal(isRetriedAsIs('configuration'), true);
  });

  test('capacity, timeouts, network and unknown errors are transient (never skipped)', () => {
    for (const [code, type] of [
      [241, 'MEMORY_LIMIT_EXCEEDED'],
      [159, 'TIMEOUT_EXCEEDED'],
      [242, 'TABLE_IS_READ_ONLY'],
      [202, 'TOO_MANY_SIMULTANEOUS_QUERIES'],
      [999, 'KEEPER_EXCEPTION'],
      [319, 'UNKNOWN_STATUS_OF_INSERT'],
      [1001, 'STD_EXCEPTION'],
      [123456, 'SOMETHING_NEW'],
    ] as const) {
      assert.equal(classifyInsertError(chError(code, type)), 'transient', type);
    }
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123'), {
      code: 'ECONNREFUSED',
    });
    assert.equal(classifyInsertError(refused), 'transient');
    assert.equal(insertErrorLabel(refused), 'ECONNREFUSED');
    assert.equal(classifyInsertError(new Error('Timeout error.')), 'transient');
    assert.equal(insertErrorLabel(new Error('Timeout error.')), 'TIMEOUT');
    assert.equal(insertErrorLabel(chError(252, 'TOO_MANY_PARTS')), 'TOO_MANY_PARTS');
    assert.equal(isRetriedAsIs('transient'), true);
  });

  test('a std::exception while reading a row is bad data', () => {
    const err = chError(1001, 'STD_EXCEPTION', 'std::out_of_range: while reading row 3');
    assert.equal(classifyInsertError(err), 'bad-data');
  });
});
