import { finishRow, type DecodedEvent } from '../decode/decoded-event.ts';
import type { EventRow } from '../decode/event-row.ts';
import { deadLetter, ok, type Outcome } from '../decode/outcome.ts';
import { describeThrown } from '../errors.ts';
import { partitionKeyOf } from '../sink/split-by-partition.ts';
import { RowValueError } from './row-binary-writer.ts';
import type { RowFormatChoice, RowWriter } from './row-format.ts';

/** A row as the insert carries it. */
export interface SerialisedRow {
  readonly row: EventRow;
  /**
   * The row in the insert's format (serialise/row-format.ts), whose length the caps and the
   * memory budget count. A view into the step's reused buffer, valid until the step's next
   * call: the batch copies it at once (batch/row-lines.ts).
   */
  readonly bytes: Buffer;
  /** The ClickHouse partition (month) the row lands in (split-by-partition.ts). */
  readonly partitionKey: number;
}

/** Step 3 of a message: the enriched event as the bytes the insert will carry. */
export type SerialiseStep = (event: DecodedEvent) => Outcome<SerialisedRow>;

/**
 * `properties` is serialised here, once (finishRow: the arriving text when nothing changed),
 * and its size limit applies to what will be stored. A value its column cannot hold (a lone
 * surrogate in a string) is this message's dead letter, never a failed insert.
 */
export function createSerialiseStep(
  maxPropertiesBytes: number,
  formats: RowFormatChoice,
): SerialiseStep {
  let write: RowWriter | undefined;
  return (event) => {
    try {
      const finished = finishRow(event, maxPropertiesBytes);
      if (!finished.ok) return finished;
      const row = finished.value;
      write ??= formats.createWriter();
      return ok({ row, bytes: write(row), partitionKey: partitionKeyOf(row) });
    } catch (err) {
      if (err instanceof RowValueError) {
        return deadLetter(err.notWellFormed ? 'invalid_utf8' : 'wrong_type', err.message);
      }
      return deadLetter('unprocessable', `decode failed: ${describeThrown(err)}`, 'decode');
    }
  };
}
