import type { EventRow } from '../decode/event-row.ts';
import { EVENT_COLUMNS } from './event-columns.ts';

const PROPERTIES = EVENT_COLUMNS.indexOf('properties');
const BEFORE = EVENT_COLUMNS.slice(0, PROPERTIES);
const AFTER = EVENT_COLUMNS.slice(PROPERTIES + 1);

/**
 * One row as a JSONCompactEachRow line (ending in a newline): the format for events tables
 * whose column types are not HIP-47's (row-format.ts). `properties` travels as the JSON object
 * it is, not as a string holding escaped JSON (input_format_json_read_objects_as_strings). `row.properties` must be the JSON text of an object (finishRow guarantees it); every other value is JSON-encoded.
 */
export function rowLine(row: EventRow): string {
  const before = JSON.stringify(BEFORE.map((column) => row[column]));
  const after = JSON.stringify(AFTER.map((column) => row[column]));
  return `${before.slice(0, -1)},${row.properties},${after.slice(1)}\n`;
}
