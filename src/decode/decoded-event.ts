import type { EventRow } from './event-row.ts';
import type { Raw } from './field-readers.ts';
import { deadLetter, ok, type Outcome } from './outcome.ts';

/**
 * An event between decode and batch. Decode fills every column of `row` except
 * `properties`, and hands over the parsed properties object; enrich reads it, fills derived
 * columns and may remove keys (privacy scrubbing) — setting `propertiesChanged` — and
 * `finishRow` then serialises `properties` exactly once. No JSON is parsed or printed twice.
 */
export interface DecodedEvent {
  /** The row to insert; `row.properties` is '' until `finishRow`. */
  readonly row: EventRow;
  /** The decoded message object (top-level fields), read-only. */
  readonly event: Raw;
  /** Parsed `properties`, owned by this event: enrich may delete keys from it. */
  readonly properties: Record<string, unknown>;
  /** The text `properties` arrived as (JSON-string form); reused verbatim when unchanged. */
  readonly propertiesText: string | undefined;
  /** Set by whoever adds or removes a key of `properties`. */
  propertiesChanged: boolean;
  /** The event's timestamp (epoch ms), as stored in `row.timestamp`. */
  readonly timestampMs: number;
  /** Unknown top-level fields decode folded into `properties` (fold-unknown-fields.ts). */
  readonly foldedFields?: readonly string[];
}

/** A step that works on a decoded event in place (the enrich stage). */
export type DecodedEventHook = (event: DecodedEvent) => void;

/**
 * Serialises `properties` (once; the arriving text when nothing changed) and enforces its
 * size limit on what will actually be stored.
 */
export function finishRow(decoded: DecodedEvent, maxPropertiesBytes: number): Outcome<EventRow> {
  const text =
    decoded.propertiesText !== undefined && !decoded.propertiesChanged
      ? decoded.propertiesText
      : JSON.stringify(decoded.properties);
  // A UTF-16 code unit is at most 3 UTF-8 bytes: most texts skip the byte count.
  if (text.length * 3 > maxPropertiesBytes) {
    const bytes = Buffer.byteLength(text);
    if (bytes > maxPropertiesBytes) {
      return deadLetter(
        'properties_too_large',
        `properties is ${bytes} bytes, above the ${maxPropertiesBytes}-byte limit`,
      );
    }
  }
  decoded.row.properties = text;
  return ok(decoded.row);
}
