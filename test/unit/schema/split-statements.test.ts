import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { splitStatements } from '../../../src/schema/split-statements.ts';

describe('splitStatements', () => {
  test('splits at top-level semicolons and drops comments and blank lines', () => {
    const script = `-- header comment
CREATE TABLE a (x UInt8) -- trailing comment
ENGINE = Memory;

/* block
   comment; with a semicolon */
DROP TABLE a;
`;
    assert.deepEqual(splitStatements(script), [
      'CREATE TABLE a (x UInt8)\nENGINE = Memory',
      'DROP TABLE a',
    ]);
  });

  test('keeps semicolons, dashes and quotes inside string literals and quoted names', () => {
    const script = `SELECT 'a;b', 'it''s -- not a comment', 'esc\\'; still', "col;1", \`t;2\`;SELECT 2`;
    assert.deepEqual(splitStatements(script), [
      `SELECT 'a;b', 'it''s -- not a comment', 'esc\\'; still', "col;1", \`t;2\``,
      'SELECT 2',
    ]);
  });

  test('removes the indentation common to a statement', () => {
    assert.deepEqual(splitStatements('    SELECT\n        1;\n'), ['SELECT\n    1']);
  });

  test('refuses an unterminated quote or comment instead of guessing', () => {
    assert.throws(() => splitStatements("SELECT 'oops;"), /unterminated ' quote/);
    assert.throws(() => splitStatements('SELECT 1 /* oops'), /unterminated \/\* comment/);
  });
});
