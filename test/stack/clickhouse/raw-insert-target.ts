import { nameOf, wordOf, type SqlToken } from './sql-lexer.ts';

/** The formats chDB's zero-copy raw insert accepts (its own whitelist). */
export const RAW_INSERT_FORMATS = [
  'JSONEachRow',
  'JSONCompactEachRow',
  'CSV',
  'CSVWithNames',
  'TSV',
  'TabSeparated',
  'TSVWithNames',
  'TabSeparatedWithNames',
] as const;
export type RawInsertFormat = (typeof RAW_INSERT_FORMATS)[number];

export interface SettingAssignment {
  readonly name: string;
  /** The value exactly as written: a number, string or word literal. */
  readonly literal: string;
}

/** `INSERT INTO t [(c, …)] [SETTINGS k = v, …] FORMAT f` in the plain shape chDB's raw insert accepts. */
export interface RawInsertTarget {
  readonly table: string;
  readonly columns: readonly string[] | undefined;
  readonly settings: readonly SettingAssignment[];
  readonly format: RawInsertFormat;
}

/** Matches `INTO [TABLE] name[.name] [(col, …)] [SETTINGS k = v, …]` token by token. */
export function matchRawTarget(
  text: string,
  header: readonly SqlToken[],
  format: string,
): RawInsertTarget | undefined {
  if (!isRawInsertFormat(format)) return undefined;
  const at = (i: number): SqlToken | undefined => header[i];
  const punct = (i: number, ch: string): boolean =>
    at(i)?.kind === 'punct' && text[at(i)?.start ?? -1] === ch;
  let i = 0;
  if (wordOf(text, at(i)) !== 'INTO') return undefined;
  i++;
  if (wordOf(text, at(i)) === 'TABLE') i++;
  let table = plainIdentifier(text, at(i++));
  if (table === undefined) return undefined;
  if (punct(i, '.')) {
    const name = plainIdentifier(text, at(i + 1));
    if (name === undefined) return undefined;
    table = `${table}.${name}`;
    i += 2;
  }
  let columns: string[] | undefined;
  if (punct(i, '(')) {
    columns = [];
    i++;
    for (;;) {
      const column = plainIdentifier(text, at(i++));
      if (column === undefined) return undefined;
      columns.push(column);
      if (punct(i, ')')) break;
      if (!punct(i++, ',')) return undefined;
    }
    i++;
  }
  const settings: SettingAssignment[] = [];
  if (wordOf(text, at(i)) === 'SETTINGS') {
    i++;
    for (;;) {
      const name = at(i);
      if (name?.kind !== 'word' || !punct(i + 1, '=')) return undefined;
      const negative = punct(i + 2, '-');
      const value = at(i + (negative ? 3 : 2));
      if (value === undefined || !['number', 'string', 'word'].includes(value.kind))
        return undefined;
      if (negative && value.kind !== 'number') return undefined;
      const start = at(i + 2)?.start ?? value.start;
      settings.push({
        name: text.slice(name.start, name.end),
        literal: text.slice(start, value.end),
      });
      i += negative ? 4 : 3;
      if (!punct(i, ',')) break;
      i++;
    }
  }
  return i === header.length ? { table, columns, settings, format } : undefined;
}

export function isRawInsertFormat(format: string): format is RawInsertFormat {
  return (RAW_INSERT_FORMATS as readonly string[]).includes(format);
}

/** chDB's raw insert only takes `[A-Za-z0-9_]` names; anything else goes the SQL way. */
function plainIdentifier(text: string, token: SqlToken | undefined): string | undefined {
  if (token === undefined || (token.kind !== 'word' && token.kind !== 'quotedIdentifier'))
    return undefined;
  const name = nameOf(text, token);
  return /^[A-Za-z0-9_]+$/.test(name) ? name : undefined;
}
