/**
 * The exact text an object `properties` arrived as, found in the message's text so that
 * finishRow can store it without `JSON.stringify` (issue 19). It is only taken when it is
 * byte for byte what `JSON.stringify` of the parsed object would print, so what is stored
 * never depends on which path produced it:
 *
 * - no whitespace, no `\/` or `\u` escapes, numbers as JavaScript prints them (`1`, not
 *   `1.0`, `-0`, `1E5` or `1e400`; integers past 15 digits are checked by printing them);
 * - no key starting with a digit (JavaScript moves integer-like keys to the front);
 * - no duplicate key anywhere in the message: the scanner counts keys and array items and
 *   the count must equal the parsed event's (value-limits.ts counts it already), as a
 *   duplicate's lost value makes the parsed count smaller.
 *
 * The message was validated by `JSON.parse`, so the scanner assumes valid JSON: one pass
 * over the message, strings skipped with indexOf, no recursion.
 */
export interface PropertiesSource {
  /** The `properties` value's text: `{…}`. */
  readonly text: string;
  /** Each top-level member's `"key":value` span in `text`, as [start, end) pairs. */
  readonly members: readonly number[];
}

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const OPEN_OBJECT = 123;
const CLOSE_OBJECT = 125;
const OPEN_ARRAY = 91;
const CLOSE_ARRAY = 93;
const MINUS = 45;
const ZERO = 48;
const NINE = 57;
const LONGEST_EXACT_INTEGER = 15;
/** The open container at each depth (DECODE_MAX_DEPTH ≤ 1000, checked before the scan). */
const containers = new Uint8Array(1024);

/**
 * The source of `event.properties` when it is an object written canonically, else
 * undefined. `text` is the message `event` was parsed from; `eventKeys` the keys and array
 * items of the parsed event.
 */
export function findPropertiesSource(
  text: string,
  event: Record<string, unknown>,
  eventKeys: number,
): PropertiesSource | undefined {
  const value = event['properties'];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const n = text.length;
  let nextBackslash = text.indexOf('\\');
  if (nextBackslash < 0) nextBackslash = n;
  const members: number[] = [];
  let pos = 0;
  let keys = 0;
  let depth = 0;
  let expectKey = false;
  let isProperties = false;
  let canonical = false;
  let propertiesDepth = -1;
  let memberStart = 0;
  let start = -1;
  let end = -1;
  while (pos < n) {
    const c = text.charCodeAt(pos);
    if (c === QUOTE) {
      if (expectKey) {
        if (depth === 1) isProperties = text.startsWith('"properties"', pos);
        else if (canonical) {
          const first = text.charCodeAt(pos + 1);
          if (first >= ZERO && first <= NINE) return undefined;
        }
        expectKey = false;
      } else if (containers[depth] === OPEN_ARRAY) keys++;
      let close = text.indexOf('"', pos + 1);
      while (nextBackslash < close) {
        const escaped = text.charCodeAt(nextBackslash + 1);
        if (canonical && !printedAsIs(escaped)) return undefined;
        const after = nextBackslash + (escaped === 117 ? 6 : 2);
        // The quote found was the escaped one: the string goes on.
        if (after > close) close = text.indexOf('"', after);
        nextBackslash = text.indexOf('\\', after);
        if (nextBackslash < 0) nextBackslash = n;
      }
      pos = close + 1;
    } else if (c === COLON) {
      keys++;
      pos++;
    } else if (c === COMMA) {
      if (depth === propertiesDepth) {
        members.push(memberStart, pos);
        memberStart = pos + 1;
      }
      expectKey = containers[depth] === OPEN_OBJECT;
      pos++;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (containers[depth] === OPEN_ARRAY) keys++;
      depth++;
      containers[depth] = c;
      expectKey = c === OPEN_OBJECT;
      if (depth === 2 && isProperties && c === OPEN_OBJECT) {
        // A duplicate `properties` makes the counts differ below: only one span survives.
        members.length = 0;
        start = pos;
        memberStart = pos + 1;
        propertiesDepth = 2;
        canonical = true;
      }
      pos++;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      if (depth === propertiesDepth) {
        if (pos > memberStart) members.push(memberStart, pos);
        end = pos + 1;
        propertiesDepth = -1;
        canonical = false;
      }
      depth--;
      pos++;
      expectKey = false;
    } else if (c <= 32) {
      if (canonical) return undefined;
      pos++;
    } else {
      if (containers[depth] === OPEN_ARRAY) keys++;
      if (c >= 97)
        pos += c === 102 ? 5 : 4; // false, true, null
      else {
        const numberEnd = skipNumber(text, pos);
        if (canonical && !canonicalNumber(text, pos, numberEnd)) return undefined;
        pos = numberEnd;
      }
    }
  }
  if (start < 0 || keys !== eventKeys) return undefined;
  for (let i = 0; i < members.length; i++) members[i] = members[i]! - start;
  return { text: text.slice(start, end), members };
}

/** Escapes JSON.stringify writes the same way: `\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`. */
function printedAsIs(escaped: number): boolean {
  return (
    escaped === QUOTE ||
    escaped === BACKSLASH ||
    escaped === 98 ||
    escaped === 102 ||
    escaped === 110 ||
    escaped === 114 ||
    escaped === 116
  );
}

function skipNumber(text: string, from: number): number {
  let pos = from;
  let c = text.charCodeAt(pos);
  // Sign, digits, fraction, exponent: `-`, `.`, digits, `e`/`E`, `+`.
  while ((c >= ZERO && c <= NINE) || c === MINUS || c === 46 || c === 101 || c === 69 || c === 43)
    c = text.charCodeAt(++pos);
  return pos;
}

/** Written as JavaScript prints the number it parses to (`1`, not `1.0`, `-0`, `1E5`, `1e400`). */
function canonicalNumber(text: string, start: number, end: number): boolean {
  const negative = text.charCodeAt(start) === MINUS;
  const digits = negative ? end - start - 1 : end - start;
  if (digits <= LONGEST_EXACT_INTEGER) {
    let integer = true;
    for (let i = negative ? start + 1 : start; i < end && integer; i++) {
      const c = text.charCodeAt(i);
      integer = c >= ZERO && c <= NINE;
    }
    // `-0` parses as -0, which JSON.stringify prints as `0`.
    if (integer) return !(negative && digits === 1 && text.charCodeAt(end - 1) === ZERO);
  }
  const written = text.slice(start, end);
  return String(Number(written)) === written;
}
