import { ClickHouseError } from '@clickhouse/client';
import type { RetryDecision } from '../retry/retry-policy.ts';

/**
 * What a failed insert means for the batch:
 * - `bad-data`: ClickHouse could not parse, convert or accept some row (a user's
 *   materialized view that throws on it counts too); the same bytes fail the same way, so
 *   the rows are split in halves until each refused row stands alone and is dead-lettered.
 * - `block-too-large`: the block as a whole broke a per-block limit (more partitions than
 *   `max_partitions_per_insert_block`); any half of it is smaller, so it is split the same
 *   deterministic way as bad data, but no row is at fault.
 * - `configuration`: the target is missing, renamed, unreadable or refuses our user. It
 *   fails until an operator fixes it and then succeeds: retried with backoff (never
 *   skipped: the data is not at fault), logged as an error.
 * - `transient`: everything else — network, timeouts, a server that is busy, merging
 *   (TOO_MANY_PARTS in a partition), short of memory or read-only for a while; errors we do
 *   not know are treated this way too: back off and retry the same batch. Never skip.
 */
export type InsertFailureClass = 'bad-data' | 'block-too-large' | 'configuration' | 'transient';

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
  306, // TOO_DEEP_RECURSION (input_format_json_max_depth)
  321, // VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE
  349, // CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN
  376, // CANNOT_PARSE_UUID
  395, // FUNCTION_THROW_IF_VALUE_IS_NON_ZERO (a materialized view's throwIf on a row)
  407, // DECIMAL_OVERFLOW
  441, // CANNOT_PARSE_IPV4
  442, // CANNOT_PARSE_IPV6
  467, // CANNOT_PARSE_BOOL
  469, // VIOLATED_CONSTRAINT (a table's CHECK refuses a row)
]);

/** Errors an operator must fix (schema, grants, settings); the data is not at fault. */
export const CONFIGURATION_CODES: ReadonlySet<number> = new Set([
  8, // THERE_IS_NO_COLUMN
  10, // NOT_FOUND_COLUMN_IN_BLOCK
  16, // NO_SUCH_COLUMN_IN_TABLE
  47, // UNKNOWN_IDENTIFIER
  48, // NOT_IMPLEMENTED
  60, // UNKNOWN_TABLE
  62, // SYNTAX_ERROR
  73, // UNKNOWN_FORMAT
  81, // UNKNOWN_DATABASE
  115, // UNKNOWN_SETTING
  164, // READONLY (the user's profile is readonly)
  192, // UNKNOWN_USER
  193, // WRONG_PASSWORD
  194, // REQUIRED_PASSWORD
  452, // SETTING_CONSTRAINT_VIOLATION
  497, // ACCESS_DENIED
  516, // AUTHENTICATION_FAILED
]);

/**
 * RowBinaryWithNamesAndTypes whose types are not the table's (a column altered while the worker
 * runs): no row is at fault, and splitting would dead-letter every one. An operator restarts
 * the worker, which reads the types again (choose-row-format.ts).
 */
const HEADER_MISMATCH = /\(while reading header\)/i;

/** 252 is both "too many parts in a partition" (merges are behind: wait) and this. */
const TOO_MANY_PARTITIONS_IN_BLOCK = /Too many partitions for (a )?single INSERT block/i;

export function classifyInsertError(err: unknown): InsertFailureClass {
  const code = clickHouseErrorCode(err);
  if (code === undefined) return 'transient';
  if (code === 252 && err instanceof Error && TOO_MANY_PARTITIONS_IN_BLOCK.test(err.message))
    return 'block-too-large';
  if (code === 1001) {
    // A std::exception from a format reader is a row it cannot read; elsewhere, unknown.
    return err instanceof Error &&
      /while (reading|parsing|processing) (row|input)/i.test(err.message)
      ? 'bad-data'
      : 'transient';
  }
  if (code === 117 && err instanceof Error && HEADER_MISMATCH.test(err.message))
    return 'configuration';
  if (BAD_DATA_CODES.has(code)) return 'bad-data';
  if (CONFIGURATION_CODES.has(code)) return 'configuration';
  return 'transient';
}

/** True for the classes retried as they are; the others are split. */
export function isRetriedAsIs(failure: InsertFailureClass): boolean {
  return failure === 'transient' || failure === 'configuration';
}

/** The sink's classification under the shared retry policy (inserts and the landed-rows query). */
export function insertRetryDecision(err: unknown): RetryDecision {
  return isRetriedAsIs(classifyInsertError(err)) ? 'retry' : 'end';
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
