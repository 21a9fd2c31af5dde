import { ClickHouseError } from '@clickhouse/client';

/**
 * What a failed insert means for the batch:
 * - `bad-data`: ClickHouse could not parse or convert some row; retrying the same bytes
 *   fails the same way, so the offending rows are isolated and dead-lettered.
 * - `transient`: anything else (network, timeouts, TOO_MANY_PARTS, memory, a missing table,
 *   auth): back off and retry the same batch while its partition stays paused. Never skip.
 */
export type InsertFailureClass = 'bad-data' | 'transient';

/** ClickHouse error codes caused by the inserted data itself. */
export const BAD_DATA_CODES: ReadonlySet<number> = new Set([
  6, // CANNOT_PARSE_TEXT
  25, // CANNOT_PARSE_ESCAPE_SEQUENCE
  26, // CANNOT_PARSE_QUOTED_STRING
  27, // CANNOT_PARSE_INPUT_ASSERTION_FAILED
  32, // ATTEMPT_TO_READ_AFTER_EOF
  33, // CANNOT_READ_ALL_DATA
  38, // CANNOT_PARSE_DATE
  41, // CANNOT_PARSE_DATETIME
  53, // TYPE_MISMATCH
  69, // ARGUMENT_OUT_OF_BOUND
  70, // CANNOT_CONVERT_TYPE
  72, // CANNOT_PARSE_NUMBER
  117, // INCORRECT_DATA
  131, // TOO_LARGE_STRING_SIZE
  321, // VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE
  349, // CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN
  376, // CANNOT_PARSE_UUID
  407, // DECIMAL_OVERFLOW
  441, // CANNOT_PARSE_IPV4
  442, // CANNOT_PARSE_IPV6
  467, // CANNOT_PARSE_BOOL
]);

export function classifyInsertError(err: unknown): InsertFailureClass {
  const code = clickHouseErrorCode(err);
  return code !== undefined && BAD_DATA_CODES.has(code) ? 'bad-data' : 'transient';
}

/** A short label for metrics and logs: the ClickHouse type, the Node error code, or 'unknown'. */
export function insertErrorLabel(err: unknown): string {
  if (err instanceof ClickHouseError) return err.type ?? `CODE_${err.code}`;
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    if (typeof code === 'string') return code;
    if (/timeout/i.test(err.message)) return 'TIMEOUT';
  }
  return 'unknown';
}

export function clickHouseErrorCode(err: unknown): number | undefined {
  if (err instanceof ClickHouseError) {
    const code = Number(err.code);
    return Number.isInteger(code) ? code : undefined;
  }
  return undefined;
}
