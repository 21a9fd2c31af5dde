import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ClickHouseError } from '@clickhouse/client';
import { classifyInsertError, insertErrorLabel } from '../../../src/sink/classify-insert-error.ts';

const chError = (code: number, type: string): ClickHouseError =>
  new ClickHouseError({
    message: `Code: ${code}. DB::Exception: x. (${type})`,
    code: String(code),
    type,
  });

describe('classifyInsertError', () => {
  test('parse and type errors are bad data', () => {
    for (const [code, type] of [
      [27, 'CANNOT_PARSE_INPUT_ASSERTION_FAILED'],
      [6, 'CANNOT_PARSE_TEXT'],
      [53, 'TYPE_MISMATCH'],
      [376, 'CANNOT_PARSE_UUID'],
      [41, 'CANNOT_PARSE_DATETIME'],
      [407, 'DECIMAL_OVERFLOW'],
    ] as const) {
      assert.equal(classifyInsertError(chError(code, type)), 'bad-data', type);
    }
  });

  test('capacity, timeouts, network and configuration problems are transient (never skipped)', () => {
    for (const [code, type] of [
      [252, 'TOO_MANY_PARTS'],
      [241, 'MEMORY_LIMIT_EXCEEDED'],
      [159, 'TIMEOUT_EXCEEDED'],
      [60, 'UNKNOWN_TABLE'],
      [516, 'AUTHENTICATION_FAILED'],
      [16, 'NO_SUCH_COLUMN_IN_TABLE'],
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
  });
});
