/**
 * Splits a SQL script into statements at top-level `;` and drops comments, so each
 * statement can be sent on its own (ClickHouse's HTTP interface runs one per request).
 * Quotes ('…', "…", `…`) and comments (-- …, /* … *\/) are respected: a `;` or `--` inside a
 * string literal stays part of it.
 */
export function splitStatements(script: string): string[] {
  const statements: string[] = [];
  let current = '';
  let i = 0;
  while (i < script.length) {
    const ch = script[i] ?? '';
    const next = script[i + 1] ?? '';
    if (ch === '-' && next === '-') {
      const end = script.indexOf('\n', i);
      i = end === -1 ? script.length : end;
      continue;
    }
    if (ch === '/' && next === '*') {
      const end = script.indexOf('*/', i + 2);
      if (end === -1) throw new SyntaxError('unterminated /* comment');
      i = end + 2;
      current += ' ';
      continue;
    }
    if (ch === "'" || ch === '"' || ch === '`') {
      const end = quotedEnd(script, i);
      current += script.slice(i, end);
      i = end;
      continue;
    }
    if (ch === ';') {
      pushStatement(statements, current);
      current = '';
      i++;
      continue;
    }
    current += ch;
    i++;
  }
  pushStatement(statements, current);
  return statements;
}

/** Index just past the closing quote; backslash escapes and doubled quotes stay inside. */
function quotedEnd(text: string, start: number): number {
  const quote = text[start];
  let i = start + 1;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '\\') {
      i += 2;
      continue;
    }
    if (ch === quote) {
      if (text[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  throw new SyntaxError(`unterminated ${quote ?? ''} quote starting at offset ${start}`);
}

/** Keeps the statement's own layout, minus blank lines and trailing spaces left by comments. */
function pushStatement(statements: string[], text: string): void {
  const tidy = text
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== '')
    .join('\n');
  if (tidy !== '') statements.push(dedent(tidy));
}

function dedent(text: string): string {
  const lines = text.split('\n');
  const indents = lines.map((line) => /^ */.exec(line)?.[0].length ?? 0);
  const common = Math.min(...indents);
  return common === 0 ? text : lines.map((line) => line.slice(common)).join('\n');
}
