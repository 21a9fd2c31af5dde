import { matchRawTarget, type RawInsertTarget } from './raw-insert-target.ts';
import { isName, nameOf, tokenizeSql, wordOf, type SqlToken } from './sql-lexer.ts';

export interface InsertData {
  /** Where the inline data begins: after `FORMAT name` and at most one line break, or right after VALUES. */
  readonly dataStart: number;
  /** The FORMAT name; undefined for VALUES. */
  readonly format: string | undefined;
  /** Where `FROM INFILE '…'` belongs in this INSERT: before its SETTINGS, else before FORMAT. */
  readonly infileAt: number;
  readonly rawTarget: RawInsertTarget | undefined;
}

export interface StatementAnalysis {
  /** The first keyword, upper-cased ('' for an empty text, the character for punctuation). */
  readonly keyword: string;
  /** More than one statement: ClickHouse's HTTP interface refuses these. */
  readonly multiStatement: boolean;
  /** `FORMAT name` closing a statement that is not an INSERT with data. */
  readonly outputFormat: string | undefined;
  /** Set for INSERT … FORMAT / VALUES: everything from dataStart on is data, not SQL. */
  readonly insertData: InsertData | undefined;
}

/**
 * Reads the shape of the first statement in `text`: its keyword, whether more
 * statements follow, its output format, and for an INSERT where its data
 * begins. It never validates SQL; the engine reports errors.
 */
export function analyzeStatement(text: string): StatementAnalysis {
  const tokens: SqlToken[] = [];
  const depths: number[] = [];
  let depth = 0;
  let terminatedAt: number | undefined;
  let keyword = '';
  let insertSelect = false;
  for (const token of tokenizeSql(text)) {
    if (token.kind === 'semicolon' && depth <= 0) {
      terminatedAt = token.end;
      break;
    }
    if (tokens.length === 0) keyword = text.slice(token.start, token.end).toUpperCase();
    tokens.push(token);
    depths.push(depth);
    if (token.kind === 'punct') depth += bracketDelta(text[token.start]);
    if (keyword !== 'INSERT' || depth !== 0 || insertSelect || tokens.length < 2) continue;
    const previous = tokens[tokens.length - 2];
    const word = wordOf(text, token);
    if (word === 'SELECT' || word === 'WITH') insertSelect = true;
    else if (word === 'VALUES') return withData(keyword, insertValues(token));
    else if (previous !== undefined && wordOf(text, previous) === 'FORMAT' && isName(token)) {
      return withData(
        keyword,
        insertFormat(text, tokens.slice(1, -2), depths.slice(1, -2), previous, token),
      );
    }
  }
  return {
    keyword,
    multiStatement: terminatedAt !== undefined && hasMoreStatements(text, terminatedAt),
    outputFormat: trailingFormat(text, tokens, depths),
    insertData: undefined,
  };
}

function withData(keyword: string, insertData: InsertData): StatementAnalysis {
  return { keyword, multiStatement: false, outputFormat: undefined, insertData };
}

function insertValues(values: SqlToken): InsertData {
  return { dataStart: values.end, format: undefined, infileAt: values.start, rawTarget: undefined };
}

function insertFormat(
  text: string,
  header: readonly SqlToken[],
  headerDepths: readonly number[],
  formatKeyword: SqlToken,
  formatName: SqlToken,
): InsertData {
  const format = nameOf(text, formatName);
  const settingsIndex = header.findIndex(
    (t, i) => headerDepths[i] === 0 && wordOf(text, t) === 'SETTINGS',
  );
  const infileAt = header[settingsIndex]?.start ?? formatKeyword.start;
  // ClickHouse refuses a ';' glued to the format name; leave that to the engine.
  const rawTarget = text[formatName.end] === ';' ? undefined : matchRawTarget(text, header, format);
  return { dataStart: skipToData(text, formatName.end), format, infileAt, rawTarget };
}

/** ClickHouse's rule: skip spaces and tabs, then at most one line break. */
function skipToData(text: string, from: number): number {
  let i = from;
  while (text[i] === ' ' || text[i] === '\t' || text[i] === '\f') i++;
  if (text[i] === '\r') i++;
  if (text[i] === '\n') i++;
  return i;
}

function trailingFormat(
  text: string,
  tokens: readonly SqlToken[],
  depths: readonly number[],
): string | undefined {
  let format: string | undefined;
  for (let i = 0; i + 1 < tokens.length; i++) {
    const name = tokens[i + 1];
    if (
      depths[i] !== 0 ||
      wordOf(text, tokens[i]) !== 'FORMAT' ||
      name === undefined ||
      !isName(name)
    )
      continue;
    const after = tokens[i + 2];
    if (after === undefined || wordOf(text, after) === 'SETTINGS') format = nameOf(text, name);
  }
  return format;
}

function hasMoreStatements(text: string, from: number): boolean {
  for (const token of tokenizeSql(text, from)) {
    if (token.kind !== 'semicolon') return true;
  }
  return false;
}

function bracketDelta(ch: string | undefined): number {
  if (ch === '(' || ch === '[' || ch === '{') return 1;
  if (ch === ')' || ch === ']' || ch === '}') return -1;
  return 0;
}
