import type { ClickHouseSettings } from '@clickhouse/client';
import { LineEncoder } from './line-encoder.ts';
import type { EventRow } from '../decode/event-row.ts';
import { EVENT_COLUMNS } from './event-columns.ts';
import { RowBinaryWriter, RowValueError } from './row-binary-writer.ts';
import { BINARY_COLUMN_KINDS, rowBinaryHeader } from './row-binary-types.ts';
import { rowLine } from './row-line.ts';

/** Writes one row; the bytes are only valid until the next call (the batch copies them). */
export type RowWriter = (row: EventRow) => Buffer;

/** How rows travel to ClickHouse: the insert's FORMAT, what its body starts with, the row bytes. */
export interface RowFormat {
  readonly name: 'RowBinaryWithNamesAndTypes' | 'JSONCompactEachRow';
  /** Bytes every insert body starts with (RowBinary's column names and types). */
  readonly header: Buffer;
  /** Format settings the insert carries. */
  readonly settings: ClickHouseSettings;
  /** A writer of its own (one per partition pipeline: each has a reused buffer). */
  createWriter(): RowWriter;
  /** The uuid of a row written in this format (the landed-rows check reads it back). */
  uuidOf(row: Buffer): string;
}

/**
 * RowBinary with the column names and types up front: ClickHouse checks the types against
 * the table's and reads the values with no parsing (row-binary-writer.ts). The default.
 */
export const ROW_BINARY: RowFormat = {
  name: 'RowBinaryWithNamesAndTypes',
  header: rowBinaryHeader(),
  settings: {},
  createWriter: () => {
    const writer = new RowBinaryWriter();
    return (row) => writer.write(row);
  },
  uuidOf: (row) => {
    // Each 8-byte half is little-endian (row-binary-writer.ts).
    const hex =
      Buffer.from(row.subarray(0, 8)).reverse().toString('hex') +
      Buffer.from(row.subarray(8, 16)).reverse().toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  },
};

const UUID_COLUMN = EVENT_COLUMNS.indexOf('uuid');
const STRING_COLUMNS = EVENT_COLUMNS.filter((_, i) => BINARY_COLUMN_KINDS[i] === 'string');

/**
 * One JSON array per row (row-line.ts): for an events table whose column types are not
 * HIP-47's (choose-row-format.ts), since ClickHouse converts JSON values to any type.
 */
export const JSON_COMPACT_ROWS: RowFormat = {
  name: 'JSONCompactEachRow',
  header: Buffer.alloc(0),
  // `properties` travels as the object it is; ClickHouse stores the object's exact text.
  settings: { input_format_json_read_objects_as_strings: 1 },
  createWriter: () => {
    const encoder = new LineEncoder();
    return (row) => {
      // JSON would carry a lone surrogate as an escape ClickHouse refuses, failing the
      // whole insert: the row is dead-lettered here instead, as RowBinary's writer does.
      for (const column of STRING_COLUMNS) {
        RowValueError.assertWellFormed(column, row[column] as string);
      }
      return encoder.encode(rowLine(row));
    };
  },
  uuidOf: (row) => {
    const uuid = (JSON.parse(row.toString('utf8')) as unknown[])[UUID_COLUMN];
    return typeof uuid === 'string' ? uuid : '';
  },
};

/**
 * The row format of this worker's inserts: RowBinary, unless the start-up check found an
 * events table with other types (worker/preflight.ts). Fixed once the first row is written,
 * so every batch is in the format its insert announces.
 */
export class RowFormatChoice {
  #format: RowFormat;
  #fixed = false;

  constructor(format: RowFormat = ROW_BINARY) {
    this.#format = format;
  }

  get format(): RowFormat {
    return this.#format;
  }

  use(format: RowFormat): void {
    if (this.#fixed && format !== this.#format) {
      throw new Error(`rows are already written as ${this.#format.name}`);
    }
    this.#format = format;
  }

  /** A writer in the chosen format; from now on the choice is fixed. */
  createWriter(): RowWriter {
    this.#fixed = true;
    return this.#format.createWriter();
  }
}
