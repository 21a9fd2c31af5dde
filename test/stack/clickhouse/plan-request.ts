import { isUtf8 } from 'node:buffer';
import { analyzeStatement, type StatementAnalysis } from './analyze-statement.ts';
import { ClickHouseServerError } from './clickhouse-error.ts';
import type { MultipartField } from './multipart-body.ts';
import { checkedParamName, type ClickHouseHttpRequest } from './parse-request.ts';
import type { RawInsertTarget } from './raw-insert-target.ts';
import { quoteString } from './sql-text.ts';

/** How the executor will run the statement. */
export type PlannedStatement =
  /** Plain SQL, INSERT data included when it is small UTF-8 text. */
  | { readonly kind: 'query'; readonly sql: string }
  /** chDB's zero-copy insert: the data stays the request's Buffer. */
  | { readonly kind: 'rawInsert'; readonly target: RawInsertTarget; readonly data: Buffer }
  /** Binary or very large data: written to a file and read with `sqlBefore FROM INFILE '…' sqlAfter`. */
  | {
      readonly kind: 'fileInsert';
      readonly sqlBefore: string;
      readonly sqlAfter: string;
      readonly data: Buffer;
    }
  /** An INSERT without rows succeeds over HTTP; the table is still checked when it is known. */
  | { readonly kind: 'emptyInsert'; readonly table: string | undefined };

export interface ExecutionPlan {
  readonly statement: PlannedStatement;
  /** First keyword (SET and USE change session state). */
  readonly keyword: string;
  /** What the response will be in: the statement's FORMAT, else default_format, else TabSeparated. */
  readonly outputFormat: string;
  /** Settings for this request only: name → SQL literal. */
  readonly settings: ReadonlyMap<string, string>;
  readonly queryParams: ReadonlyMap<string, string>;
  readonly database: string | undefined;
}

export interface PlanLimits {
  /** INSERT data larger than this goes through a file instead of the SQL string. */
  readonly inlineDataBytes: number;
}

/** Keywords a read-only request (GET, or readonly=1) may run. */
const READ_ONLY_KEYWORDS = new Set([
  'SELECT',
  'WITH',
  'SHOW',
  'DESC',
  'DESCRIBE',
  'EXISTS',
  'EXPLAIN',
  'SET',
  'USE',
  '(',
]);
/** Enough of a body to find an INSERT's data without decoding all of it. */
const HEAD_BYTES = 1 << 20;

export function planRequest(
  request: ClickHouseHttpRequest,
  body: Buffer,
  multipart: readonly MultipartField[] | undefined,
  limits: PlanLimits,
): ExecutionPlan {
  const queryParams = new Map(request.queryParams);
  let query = request.query;
  if (multipart !== undefined) {
    for (const field of multipart) {
      if (field.filename !== undefined) {
        throw ClickHouseServerError.of(
          'NOT_IMPLEMENTED',
          'External tables (multipart file parts) are not supported',
        );
      }
      if (field.name === 'query') query = field.value.toString('utf8');
      else if (field.name.startsWith('param_')) {
        queryParams.set(
          checkedParamName(field.name.slice('param_'.length)),
          field.value.toString('utf8'),
        );
      }
    }
  }
  const source = statementSource(query, multipart === undefined ? body : Buffer.alloc(0));
  const { analysis } = source;
  if (source.sql(0, source.sqlEnd).trim() === '') {
    throw ClickHouseServerError.of('SYNTAX_ERROR', 'Empty query');
  }
  if (analysis.multiStatement) {
    throw ClickHouseServerError.of('SYNTAX_ERROR', 'Multi-statements are not allowed');
  }
  if (request.http.readOnly && !READ_ONLY_KEYWORDS.has(analysis.keyword)) {
    throw ClickHouseServerError.of(
      'READONLY',
      'Cannot execute query in readonly mode. For queries over HTTP, method GET implies readonly. ' +
        'You should use method POST for modifying queries',
    );
  }
  if (analysis.keyword === 'SET' && /\breadonly\b/i.test(source.sql(0, source.sqlEnd))) {
    // The shared chDB session could never leave readonly mode again.
    throw ClickHouseServerError.of(
      'NOT_IMPLEMENTED',
      'SET readonly is not supported by the local endpoint',
    );
  }
  const settings = new Map(
    [...request.settings].map(([name, value]) => [name, quoteString(value)]),
  );
  const statement = planStatement(source, limits);
  if (statement.kind === 'rawInsert') {
    // A query's own SETTINGS clause beats URL settings, as on a real server.
    for (const { name, literal } of statement.target.settings) settings.set(name, literal);
  }
  return {
    statement,
    keyword: analysis.keyword,
    outputFormat: analysis.outputFormat ?? request.defaultFormat ?? 'TabSeparated',
    settings,
    queryParams,
    database: request.database,
  };
}

/** The statement text, its analysis and, for INSERT … FORMAT / VALUES, its data. */
interface StatementSource {
  readonly analysis: StatementAnalysis;
  /** Decoded SQL between two offsets of the analysed text. */
  sql(start: number, end: number): string;
  /** Where the SQL ends: the data start for an INSERT with data, else the end of the text. */
  readonly sqlEnd: number;
  readonly data: Buffer | undefined;
}

/** ClickHouse runs `query` + '\n' + body; INSERT data must stay a Buffer, so the two are kept apart. */
function statementSource(query: string | undefined, body: Buffer): StatementSource {
  if (query !== undefined && query !== '') {
    const head = `${query}\n`;
    const analysis = analyzeStatement(head);
    const dataStart = analysis.insertData?.dataStart;
    if (dataStart !== undefined) {
      const inline = head.slice(dataStart);
      const data = inline === '' ? body : Buffer.concat([Buffer.from(inline), body]);
      return { analysis, sql: (s, e) => head.slice(s, e), sqlEnd: dataStart, data };
    }
    return textSource(body.length === 0 ? query : head + body.toString('utf8'));
  }
  // Offsets into latin1 text are byte offsets, so the data can be cut out of the Buffer.
  let analysis = analyzeStatement(body.toString('latin1', 0, HEAD_BYTES));
  const inHead = (analysis.insertData?.dataStart ?? Infinity) < HEAD_BYTES;
  if (!inHead && body.length > HEAD_BYTES) analysis = analyzeStatement(body.toString('latin1'));
  const dataStart = analysis.insertData?.dataStart;
  return {
    analysis,
    sql: (s, e) => body.toString('utf8', s, e),
    sqlEnd: dataStart ?? body.length,
    data: dataStart === undefined ? undefined : body.subarray(dataStart),
  };
}

function textSource(text: string): StatementSource {
  const analysis = analyzeStatement(text);
  const dataStart = analysis.insertData?.dataStart;
  return {
    analysis,
    sql: (s, e) => text.slice(s, e),
    sqlEnd: dataStart ?? text.length,
    data: dataStart === undefined ? undefined : Buffer.from(text.slice(dataStart)),
  };
}

function planStatement(source: StatementSource, limits: PlanLimits): PlannedStatement {
  const insert = source.analysis.insertData;
  const sql = source.sql(0, source.sqlEnd);
  if (insert === undefined || source.data === undefined) return { kind: 'query', sql };
  const { data } = source;
  if (data.length === 0) return { kind: 'emptyInsert', table: insert.rawTarget?.table };
  if (insert.format === undefined) return { kind: 'query', sql: sql + data.toString('utf8') }; // VALUES
  if (insert.rawTarget !== undefined) return { kind: 'rawInsert', target: insert.rawTarget, data };
  if (data.length <= limits.inlineDataBytes && isUtf8(data)) {
    return { kind: 'query', sql: sql + data.toString('utf8') };
  }
  return {
    kind: 'fileInsert',
    sqlBefore: source.sql(0, insert.infileAt),
    sqlAfter: source.sql(insert.infileAt, insert.dataStart).trimEnd(),
    data,
  };
}
