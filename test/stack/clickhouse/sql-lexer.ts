/**
 * A just-enough ClickHouse SQL tokenizer. It knows where string literals,
 * quoted identifiers, comments and heredocs begin and end, so the HTTP layer
 * can find statement boundaries and where an INSERT's inline data starts
 * without parsing SQL. Anything finer is left to the engine.
 *
 * Offsets are string indices. Callers that lex a Buffer decode it as latin1,
 * which keeps one character per byte: every delimiter the lexer cares about is
 * ASCII, and UTF-8 continuation bytes never are.
 */

export type SqlTokenKind =
  | 'word'
  | 'quotedIdentifier'
  | 'string'
  | 'number'
  | 'punct'
  | 'semicolon'
  /** A string, identifier or comment that runs to the end of the text. */
  | 'unterminated';

export interface SqlToken {
  readonly kind: SqlTokenKind;
  readonly start: number;
  readonly end: number;
}

const HEREDOC_TAG = /\$([A-Za-z0-9_]*)\$/y;

export function* tokenizeSql(text: string, from = 0): Generator<SqlToken, void, undefined> {
  const n = text.length;
  let i = from;
  while (i < n) {
    const c = text.charCodeAt(i);
    const next = i + 1 < n ? text.charCodeAt(i + 1) : -1;
    const heredoc = c === 0x24 ? heredocEnd(text, i) : undefined;
    if (isSpace(c)) {
      i++;
    } else if ((c === 0x2d && next === 0x2d) || (c === 0x23 && (next === 0x20 || next === 0x21))) {
      // `-- comment`, `# comment`, `#!shebang`
      const eol = text.indexOf('\n', i);
      i = eol < 0 ? n : eol + 1;
    } else if (c === 0x2f && next === 0x2a) {
      const end = blockCommentEnd(text, i);
      if (end < 0) {
        yield { kind: 'unterminated', start: i, end: n };
        return;
      }
      i = end;
    } else if (c === 0x27 || c === 0x22 || c === 0x60) {
      const end = quotedEnd(text, i);
      if (end < 0) {
        yield { kind: 'unterminated', start: i, end: n };
        return;
      }
      yield { kind: c === 0x27 ? 'string' : 'quotedIdentifier', start: i, end };
      i = end;
    } else if (heredoc !== undefined) {
      if (heredoc < 0) {
        yield { kind: 'unterminated', start: i, end: n };
        return;
      }
      yield { kind: 'string', start: i, end: heredoc };
      i = heredoc;
    } else if (isDigit(c) || (c === 0x2e && isDigit(next))) {
      const end = numberEnd(text, i);
      yield { kind: 'number', start: i, end };
      i = end;
    } else if (isWordStart(c)) {
      let end = i + 1;
      while (end < n && isWordPart(text.charCodeAt(end))) end++;
      yield { kind: 'word', start: i, end };
      i = end;
    } else if (c === 0x3b) {
      yield { kind: 'semicolon', start: i, end: i + 1 };
      i++;
    } else {
      yield { kind: 'punct', start: i, end: i + 1 };
      i++;
    }
  }
}

/** The value of a quoted identifier or string token, with escapes resolved. */
export function unquote(tokenText: string): string {
  const quote = tokenText[0];
  const body = tokenText.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch === '\\' && i + 1 < body.length) {
      i++;
      out += ESCAPES[body[i] ?? ''] ?? body[i];
    } else if (ch === quote && body[i + 1] === quote) {
      out += ch;
      i++;
    } else {
      out += ch;
    }
  }
  return out;
}

/** The upper-cased text of a word token; undefined for anything else. */
export function wordOf(text: string, token: SqlToken | undefined): string | undefined {
  return token?.kind === 'word' ? text.slice(token.start, token.end).toUpperCase() : undefined;
}

export function isName(token: SqlToken): boolean {
  return token.kind === 'word' || token.kind === 'quotedIdentifier';
}

/** A word or quoted identifier as a name. */
export function nameOf(text: string, token: SqlToken): string {
  const raw = text.slice(token.start, token.end);
  return token.kind === 'quotedIdentifier' ? unquote(raw) : raw;
}

const ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  t: '\t',
  r: '\r',
  b: '\b',
  f: '\f',
  '0': '\0',
  a: '\x07',
  v: '\v',
  e: '\x1b',
};

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isWordStart(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c >= 0x80;
}

function isWordPart(c: number): boolean {
  return isWordStart(c) || isDigit(c) || c === 0x24;
}

/** End (exclusive) of a '…', "…" or `…` token; backslash escapes and doubled quotes stay inside. */
function quotedEnd(text: string, start: number): number {
  const quote = text.charCodeAt(start);
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === quote) {
      if (text.charCodeAt(i + 1) === quote) i++;
      else return i + 1;
    }
  }
  return -1;
}

/** ClickHouse block comments nest. */
function blockCommentEnd(text: string, start: number): number {
  let depth = 0;
  for (let i = start; i < text.length - 1; i++) {
    if (text.charCodeAt(i) === 0x2f && text.charCodeAt(i + 1) === 0x2a) {
      depth++;
      i++;
    } else if (text.charCodeAt(i) === 0x2a && text.charCodeAt(i + 1) === 0x2f) {
      depth--;
      i++;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/** undefined: not a heredoc opener; -1: an opener without its closing tag. */
function heredocEnd(text: string, start: number): number | undefined {
  HEREDOC_TAG.lastIndex = start;
  const match = HEREDOC_TAG.exec(text);
  if (match === null) return undefined;
  const tag = match[0];
  const close = text.indexOf(tag, start + tag.length);
  return close < 0 ? -1 : close + tag.length;
}

function numberEnd(text: string, start: number): number {
  const hex = text.charCodeAt(start) === 0x30 && /[xX]/.test(text[start + 1] ?? '');
  let i = start + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    const prev = text.charCodeAt(i - 1);
    const exponentSign =
      (c === 0x2b || c === 0x2d) &&
      !hex &&
      (prev === 0x65 || prev === 0x45 || prev === 0x70 || prev === 0x50);
    if (isDigit(c) || isWordStart(c) || c === 0x2e || exponentSign) i++;
    else break;
  }
  return i;
}
