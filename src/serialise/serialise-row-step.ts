import { finishRow, type DecodedEvent } from '../decode/decoded-event.ts';
import type { EventRow } from '../decode/event-row.ts';
import { deadLetter, ok, type Outcome } from '../decode/outcome.ts';
import { describeThrown } from '../errors.ts';
import { partitionKeyOf } from '../sink/split-by-partition.ts';
import { rowLine } from './row-line.ts';

/** A row as the insert carries it. */
export interface SerialisedRow {
  readonly row: EventRow;
  /**
   * The row's JSONCompactEachRow line (row-line.ts), newline included; the batch holds it
   * as UTF-8 bytes (batch/row-lines.ts), whose length the caps and the memory budget count.
   */
  readonly line: string;
  /** The ClickHouse partition (month) the row lands in (split-by-partition.ts). */
  readonly partitionKey: number;
}

/** Step 3 of a message: the enriched event as the line the insert will carry. */
export type SerialiseStep = (event: DecodedEvent) => Outcome<SerialisedRow>;

/**
 * `properties` is serialised here, once (finishRow: the arriving text when nothing changed),
 * and its size limit applies to what will be stored.
 */
export function createSerialiseStep(maxPropertiesBytes: number): SerialiseStep {
  return (event) => {
    try {
      const finished = finishRow(event, maxPropertiesBytes);
      if (!finished.ok) return finished;
      const row = finished.value;
      const line = rowLine(row);
      return ok({ row, line, partitionKey: partitionKeyOf(row) });
    } catch (err) {
      return deadLetter('unprocessable', `decode failed: ${describeThrown(err)}`, 'decode');
    }
  };
}
