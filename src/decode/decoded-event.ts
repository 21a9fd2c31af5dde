import type { EventRow } from './event-row.ts';
import type { Raw } from './field-readers.ts';
import { deadLetter, ok, type Outcome } from './outcome.ts';

/**
 * An event between decode and batch. Decode fills every column of `row` except
 * `properties`, and hands over the parsed properties object; enrich reads it, fills derived
 * columns and may remove keys (privacy scrubbing) — saying so in `propertiesKeysDropped` or
 * `propertiesChanged` — and `finishRow` then stores `properties` exactly once: the text it
 * arrived as when it can, else serialised. No JSON is parsed or printed twice.
 */
export interface DecodedEvent {
  /** The row to insert; `row.properties` is '' until `finishRow`. */
  readonly row: EventRow;
  /** The decoded message object (top-level fields), read-only. */
  readonly event: Raw;
  /** Parsed `properties`, owned by this event: enrich may delete keys from it. */
  readonly properties: Record<string, unknown>;
  /**
   * The text `properties` arrived as: the JSON-string form, or an object's own text when it
   * is canonical (properties-source.ts). Reused verbatim when unchanged.
   */
  readonly propertiesText: string | undefined;
  /** `propertiesText`'s top-level `"key":value` spans as [start, end) pairs, when known. */
  readonly propertiesMembers: readonly number[] | undefined;
  /** Set by whoever adds a key of `properties`, or removes or changes one below its top level. */
  propertiesChanged: boolean;
  /** Set by whoever drops a top-level key (dropKey): the text is reused without its member. */
  propertiesKeysDropped: boolean;
  /** The event's timestamp (epoch ms), as stored in `row.timestamp`. */
  readonly timestampMs: number;
  /** Unknown top-level fields decode folded into `properties` (fold-unknown-fields.ts). */
  readonly foldedFields?: readonly string[];
}

/** A step that works on a decoded event in place (the enrich stage). */
export type DecodedEventHook = (event: DecodedEvent) => void;

/**
 * Serialises `properties` (once; the arriving text, less dropped keys, when nothing else
 * changed) and enforces its
 * size limit on what will actually be stored.
 */
export function finishRow(decoded: DecodedEvent, maxPropertiesBytes: number): Outcome<EventRow> {
  const text = storedText(decoded) ?? JSON.stringify(decoded.properties);
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

/** The arriving text, less the members of dropped top-level keys; undefined when unusable. */
function storedText(decoded: DecodedEvent): string | undefined {
  const { propertiesText: text, propertiesMembers: members, properties } = decoded;
  if (text === undefined || decoded.propertiesChanged) return undefined;
  if (!decoded.propertiesKeysDropped) return text;
  if (members === undefined) return undefined;
  // Nothing was added, so the object's keys are the members, in order (no key is
  // integer-like); a dropped key reads undefined (dropKey), `__proto__` is deleted.
  let kept = '';
  let runStart = -1;
  let runEnd = -1;
  let i = 0;
  for (const key in properties) {
    if (i >= members.length) return undefined;
    if (properties[key] === undefined) {
      if (runStart >= 0) kept += (kept === '' ? '' : ',') + text.slice(runStart, runEnd);
      runStart = -1;
    } else {
      if (runStart < 0) runStart = members[i]!;
      runEnd = members[i + 1]!;
    }
    i += 2;
  }
  if (i !== members.length) return undefined;
  if (runStart >= 0) kept += (kept === '' ? '' : ',') + text.slice(runStart, runEnd);
  return `{${kept}}`;
}
