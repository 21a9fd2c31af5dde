/**
 * ClickHouse errors as the HTTP interface reports them: a numeric code, a type
 * name, the `Code: N. DB::Exception: … (TYPE)` text that @clickhouse/client
 * parses into ClickHouseError, and the HTTP status the real server picks.
 */

/** Codes this endpoint raises or maps; the numbers are the engine's own (system.errors). */
export const ERROR_CODES = {
  CANNOT_PARSE_TEXT: 6,
  THERE_IS_NO_COLUMN: 8,
  DUPLICATE_COLUMN: 15,
  CANNOT_PARSE_ESCAPE_SEQUENCE: 25,
  CANNOT_PARSE_QUOTED_STRING: 26,
  CANNOT_PARSE_INPUT_ASSERTION_FAILED: 27,
  BAD_ARGUMENTS: 36,
  UNKNOWN_ELEMENT_IN_AST: 37,
  CANNOT_PARSE_DATE: 38,
  CANNOT_PARSE_DATETIME: 41,
  ILLEGAL_COLUMN: 44,
  UNKNOWN_FUNCTION: 46,
  UNKNOWN_IDENTIFIER: 47,
  NOT_IMPLEMENTED: 48,
  UNKNOWN_TYPE: 50,
  TYPE_MISMATCH: 53,
  UNKNOWN_STORAGE: 56,
  UNKNOWN_TABLE: 60,
  SYNTAX_ERROR: 62,
  UNKNOWN_AGGREGATE_FUNCTION: 63,
  CANNOT_PARSE_NUMBER: 72,
  UNKNOWN_FORMAT: 73,
  CANNOT_OPEN_FILE: 76,
  UNKNOWN_TYPE_OF_QUERY: 78,
  UNKNOWN_DATABASE: 81,
  UNKNOWN_SETTING: 115,
  INCORRECT_DATA: 117,
  UNKNOWN_TYPE_OF_AST_NODE: 123,
  UNKNOWN_DIRECTION_OF_SORTING: 152,
  TIMEOUT_EXCEEDED: 159,
  READONLY: 164,
  TOO_DEEP_AST: 167,
  TOO_BIG_AST: 168,
  UNKNOWN_USER: 192,
  WRONG_PASSWORD: 193,
  REQUIRED_PASSWORD: 194,
  SOCKET_TIMEOUT: 209,
  NETWORK_ERROR: 210,
  UNEXPECTED_AST_STRUCTURE: 223,
  QUERY_IS_TOO_LARGE: 229,
  CANNOT_DECOMPRESS: 271,
  VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE: 321,
  UNKNOWN_DATABASE_ENGINE: 336,
  SESSION_NOT_FOUND: 372,
  INVALID_SESSION_TIMEOUT: 374,
  CANNOT_PARSE_UUID: 376,
  HTTP_LENGTH_REQUIRED: 381,
  CANNOT_COMPILE_REGEXP: 427,
  CANNOT_SCHEDULE_TASK: 439,
  CANNOT_PARSE_DOMAIN_VALUE_FROM_STRING: 441,
  ACCESS_DENIED: 497,
  UNKNOWN_ROLE: 511,
  SET_NON_GRANTED_ROLE: 512,
  AUTHENTICATION_FAILED: 516,
  CANNOT_PARSE_IPV4: 675,
  CANNOT_PARSE_IPV6: 676,
  UNSUPPORTED_MEDIA_TYPE: 779,
  UNKNOWN_EXCEPTION: 1002,
} as const;

export type ErrorType = keyof typeof ERROR_CODES;

const ENGINE_ERROR = /^Code: (\d+)\. DB::Exception: [\s\S]*\(([A-Z0-9_]+)\)\s*$/;

export class ClickHouseServerError extends Error {
  override readonly name = 'ClickHouseServerError';
  readonly code: number;
  readonly type: string;

  /** `text` is the full `Code: N. DB::Exception: … (TYPE)` line. */
  constructor(code: number, type: string, text: string, options?: { cause?: unknown }) {
    super(text.trimEnd(), options);
    this.code = code;
    this.type = type;
  }

  /** One of our own errors, worded the way ClickHouse formats its exceptions. */
  static of(type: ErrorType, detail: string, options?: { cause?: unknown }): ClickHouseServerError {
    const code = ERROR_CODES[type];
    return new ClickHouseServerError(
      code,
      type,
      `Code: ${code}. DB::Exception: ${detail}. (${type})`,
      options,
    );
  }

  /** The body of an error response, as a ClickHouse server writes it. */
  responseText(version: string): string {
    return `${this.message} (version ${version})\n`;
  }
}

/** Any failure from chDB (or elsewhere) as a ClickHouse error. */
export function toClickHouseError(error: unknown): ClickHouseServerError {
  if (error instanceof ClickHouseServerError) return error;
  const text = error instanceof Error ? error.message : String(error);
  const match = ENGINE_ERROR.exec(text);
  if (match !== null)
    return new ClickHouseServerError(Number(match[1]), match[2] ?? '', text, { cause: error });
  const code = engineCode(error);
  if (code !== undefined) {
    return new ClickHouseServerError(
      code,
      'UNKNOWN_EXCEPTION',
      `Code: ${code}. DB::Exception: ${text}. (UNKNOWN_EXCEPTION)`,
      {
        cause: error,
      },
    );
  }
  return ClickHouseServerError.of('UNKNOWN_EXCEPTION', text, { cause: error });
}

function engineCode(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('clickhouseCode' in error)) return undefined;
  return typeof error.clickhouseCode === 'number' ? error.clickhouseCode : undefined;
}

const FORBIDDEN = codes(
  'UNKNOWN_USER',
  'WRONG_PASSWORD',
  'AUTHENTICATION_FAILED',
  'SET_NON_GRANTED_ROLE',
  'ACCESS_DENIED',
);
const BAD_REQUEST = codes(
  'BAD_ARGUMENTS',
  'CANNOT_COMPILE_REGEXP',
  'CANNOT_PARSE_TEXT',
  'CANNOT_PARSE_ESCAPE_SEQUENCE',
  'CANNOT_PARSE_QUOTED_STRING',
  'CANNOT_PARSE_DATE',
  'CANNOT_PARSE_DATETIME',
  'CANNOT_PARSE_NUMBER',
  'CANNOT_PARSE_DOMAIN_VALUE_FROM_STRING',
  'CANNOT_PARSE_IPV4',
  'CANNOT_PARSE_IPV6',
  'CANNOT_PARSE_INPUT_ASSERTION_FAILED',
  'CANNOT_PARSE_UUID',
  'DUPLICATE_COLUMN',
  'ILLEGAL_COLUMN',
  'UNKNOWN_ELEMENT_IN_AST',
  'UNKNOWN_TYPE_OF_AST_NODE',
  'THERE_IS_NO_COLUMN',
  'TOO_DEEP_AST',
  'TOO_BIG_AST',
  'UNEXPECTED_AST_STRUCTURE',
  'SYNTAX_ERROR',
  'INCORRECT_DATA',
  'TYPE_MISMATCH',
  'VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE',
);
const NOT_FOUND = codes(
  'UNKNOWN_TABLE',
  'UNKNOWN_FUNCTION',
  'UNKNOWN_IDENTIFIER',
  'UNKNOWN_TYPE',
  'UNKNOWN_STORAGE',
  'UNKNOWN_DATABASE',
  'UNKNOWN_SETTING',
  'UNKNOWN_DIRECTION_OF_SORTING',
  'UNKNOWN_AGGREGATE_FUNCTION',
  'UNKNOWN_FORMAT',
  'UNKNOWN_DATABASE_ENGINE',
  'UNKNOWN_TYPE_OF_QUERY',
  'UNKNOWN_ROLE',
);
const SERVICE_UNAVAILABLE = codes('SOCKET_TIMEOUT', 'CANNOT_OPEN_FILE', 'CANNOT_SCHEDULE_TASK');

/** The HTTP status ClickHouse's server sends for an exception code (exceptionCodeToHTTPStatus). */
export function httpStatusFor(code: number): number {
  if (code === ERROR_CODES.REQUIRED_PASSWORD) return 401;
  if (FORBIDDEN.has(code)) return 403;
  if (BAD_REQUEST.has(code)) return 400;
  if (NOT_FOUND.has(code)) return 404;
  if (code === ERROR_CODES.QUERY_IS_TOO_LARGE) return 413;
  if (code === ERROR_CODES.NOT_IMPLEMENTED) return 501;
  if (SERVICE_UNAVAILABLE.has(code)) return 503;
  if (code === ERROR_CODES.HTTP_LENGTH_REQUIRED) return 411;
  if (code === ERROR_CODES.TIMEOUT_EXCEEDED) return 408;
  if (code === ERROR_CODES.UNSUPPORTED_MEDIA_TYPE) return 415;
  return 500;
}

function codes(...types: ErrorType[]): ReadonlySet<number> {
  return new Set(types.map((type) => ERROR_CODES[type]));
}
