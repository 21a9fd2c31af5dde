import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { tokenizeSql, unquote } from '../../../stack/clickhouse/sql-lexer.ts';

function kinds(text: string): string[] {
  return [...tokenizeSql(text)].map((t) => `${t.kind}:${text.slice(t.start, t.end)}`);
}

void describe('tokenizeSql', () => {
  void test('skips comments and keeps literals whole', () => {
    assert.deepEqual(kinds("SELECT 'a''b\\'c', `x``y` -- c\n/* n /* e */ st */ 1.5e-3;"), [
      'word:SELECT',
      "string:'a''b\\'c'",
      'punct:,',
      'quotedIdentifier:`x``y`',
      'number:1.5e-3',
      'semicolon:;',
    ]);
  });

  void test('heredocs are strings', () => {
    assert.deepEqual(kinds('SELECT $tag$ ; $$ $tag$, $$x$$'), [
      'word:SELECT',
      'string:$tag$ ; $$ $tag$',
      'punct:,',
      'string:$$x$$',
    ]);
  });

  void test('unterminated text ends the stream', () => {
    assert.deepEqual(kinds('SELECT "abc'), ['word:SELECT', 'unterminated:"abc']);
    assert.deepEqual(kinds('SELECT /* abc'), ['word:SELECT', 'unterminated:/* abc']);
  });

  void test('unquote resolves escapes and doubled quotes', () => {
    assert.equal(unquote("'it\\'s'"), "it's");
    assert.equal(unquote("'it''s'"), "it's");
    assert.equal(unquote('`a\\tb`'), 'a\tb');
  });
});
