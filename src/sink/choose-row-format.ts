import type { ClickHouseClient } from '@clickhouse/client';
import { errorMessage } from '../errors.ts';
import type { Logger } from '../log/logger.ts';
import { EVENT_COLUMNS } from '../serialise/event-columns.ts';
import { BINARY_COLUMN_TYPES } from '../serialise/row-binary-types.ts';
import { JSON_COMPACT_ROWS, ROW_BINARY, type RowFormat } from '../serialise/row-format.ts';

export interface RowFormatTarget {
  readonly database: string;
  readonly table: string;
}

/** A column whose type is not the one RowBinary rows are written for. */
export interface ColumnTypeDifference {
  readonly column: string;
  readonly expected: string;
  /** undefined: the table has no such column. */
  readonly found: string | undefined;
}

/** The columns whose types differ from BINARY_COLUMN_TYPES (none: RowBinary fits). */
export function columnTypeDifferences(types: ReadonlyMap<string, string>): ColumnTypeDifference[] {
  return EVENT_COLUMNS.flatMap((column) => {
    const expected = BINARY_COLUMN_TYPES[column];
    const found = types.get(column);
    return found === expected ? [] : [{ column, expected, found }];
  });
}

/**
 * The inserts' row format, from the events table's column types (read once, before
 * consuming): RowBinary when they are HIP-47's, JSONCompactEachRow otherwise — ClickHouse
 * refuses RowBinary whose types differ from the table's, while JSON converts to any type.
 * A table not there yet, or ClickHouse not answering, gets JSON too, with a warning: it
 * works whatever the types turn out to be; a restart once the table exists picks RowBinary.
 */
export async function chooseRowFormat(
  client: ClickHouseClient,
  target: RowFormatTarget,
  log: Logger,
): Promise<RowFormat> {
  let types: Map<string, string>;
  try {
    types = await readColumnTypes(client, target);
  } catch (err) {
    log.warn(
      { err: errorMessage(err), format: JSON_COMPACT_ROWS.name },
      'could not read the events table column types; inserting JSON rows (slower for ClickHouse)',
    );
    return JSON_COMPACT_ROWS;
  }
  if (types.size === 0) {
    log.warn(
      { table: `${target.database}.${target.table}`, format: JSON_COMPACT_ROWS.name },
      'events table not found; inserting JSON rows (slower for ClickHouse) until a restart finds it',
    );
    return JSON_COMPACT_ROWS;
  }
  const differences = columnTypeDifferences(types);
  if (differences.length > 0) {
    log.warn(
      { differences, format: JSON_COMPACT_ROWS.name },
      "events table column types differ from HIP-47's; inserting JSON rows (slower for ClickHouse)",
    );
    return JSON_COMPACT_ROWS;
  }
  log.info({ format: ROW_BINARY.name }, 'inserting RowBinary rows');
  return ROW_BINARY;
}

async function readColumnTypes(
  client: ClickHouseClient,
  target: RowFormatTarget,
): Promise<Map<string, string>> {
  const result = await client.query({
    query:
      'SELECT name, type FROM system.columns WHERE database = {database:String} AND table = {table:String}',
    query_params: { database: target.database, table: target.table },
    format: 'JSONEachRow',
  });
  const rows = await result.json<{ name: string; type: string }>();
  return new Map(rows.map((r) => [r.name, r.type]));
}
