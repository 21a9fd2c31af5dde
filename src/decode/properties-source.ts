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
 * The message was validated by `JSON.parse`, so the scanner assumes valid JSON; it recurses
 * once per nesting level, which DECODE_MAX_DEPTH (≤ 1000, checked before) bounds.
 */
export interface PropertiesSource {
  /** The `properties` value's text: `{…}`. */
  readonly text: string;
  /** Each top-level member's `"key":value` span in `text`, as [start, end) pairs. */
  readonly members: readonly number[];
}

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_OBJECT = 123;
const CLOSE_OBJECT = 125;
const OPEN_ARRAY = 91;
const CLOSE_ARRAY = 93;
const MINUS = 45;
const ZERO = 48;
const NINE = 57;
const LONGEST_EXACT_INTEGER = 15;

// One scan at a time (synchronous): module state spares passing it through every call.
let text = '';
let pos = 0;
let keys = 0;
/** The next backslash at or after `pos`, or text.length: most messages have none. */
let nextBackslash = 0;

/**
 * The source of `event.properties` when it is an object written canonically, else
 * undefined. `message` is the text `event` was parsed from; `eventKeys` the keys and array
 * items of the parsed event.
 */
export function findPropertiesSource(
  message: string,
  event: Record<string, unknown>,
  eventKeys: number,
): PropertiesSource | undefined {
  const value = event['properties'];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  text = message;
  pos = 0;
  keys = 0;
  nextBackslash = indexOrEnd(BACKSLASH_TEXT, 0);
  try {
    const members: number[] = [];
    let start = -1;
    let end = -1;
    skipSpace(false);
    pos++; // '{'
    skipSpace(false);
    if (text.charCodeAt(pos) === CLOSE_OBJECT) return undefined;
    for (;;) {
      skipSpace(false);
      const isProperties = text.startsWith('"properties"', pos);
      skipString(false);
      keys++;
      skipSpace(false);
      pos++; // ':'
      skipSpace(false);
      if (isProperties && text.charCodeAt(pos) === OPEN_OBJECT) {
        // A duplicate `properties` makes the counts differ below: only one span survives.
        members.length = 0;
        start = pos;
        if (!skipObject(true, members)) return undefined;
        end = pos;
      } else {
        skipValue(false);
      }
      skipSpace(false);
      if (text.charCodeAt(pos++) === CLOSE_OBJECT) break;
    }
    if (start < 0 || keys !== eventKeys) return undefined;
    for (let i = 0; i < members.length; i++) members[i] = members[i]! - start;
    return { text: message.slice(start, end), members };
  } finally {
    text = '';
  }
}

const BACKSLASH_TEXT = '\\';

function indexOrEnd(search: string, from: number): number {
  const at = text.indexOf(search, from);
  return at < 0 ? text.length : at;
}

/** Skips whitespace; false when there is some and `canonical` forbids it. */
function skipSpace(canonical: boolean): boolean {
  let c = text.charCodeAt(pos);
  if (c > 32) return true;
  if (canonical) return false;
  while (c === 32 || c === 9 || c === 10 || c === 13) c = text.charCodeAt(++pos);
  return true;
}

function skipValue(canonical: boolean): boolean {
  switch (text.charCodeAt(pos)) {
    case QUOTE:
      return skipString(canonical);
    case OPEN_OBJECT:
      return skipObject(canonical, undefined);
    case OPEN_ARRAY:
      return skipArray(canonical);
    case 116: // true
    case 110: // null
      pos += 4;
      return true;
    case 102: // false
      pos += 5;
      return true;
    default:
      return skipNumber(canonical);
  }
}

function skipObject(canonical: boolean, members: number[] | undefined): boolean {
  pos++;
  if (!skipSpace(canonical)) return false;
  if (text.charCodeAt(pos) === CLOSE_OBJECT) {
    pos++;
    return true;
  }
  for (;;) {
    if (!skipSpace(canonical)) return false;
    const start = pos;
    const first = text.charCodeAt(pos + 1);
    if (canonical && first >= ZERO && first <= NINE) return false;
    if (!skipString(canonical)) return false;
    keys++;
    if (!skipSpace(canonical)) return false;
    pos++; // ':'
    if (!skipSpace(canonical) || !skipValue(canonical) || !skipSpace(canonical)) return false;
    members?.push(start, pos);
    if (text.charCodeAt(pos++) === CLOSE_OBJECT) return true;
  }
}

function skipArray(canonical: boolean): boolean {
  pos++;
  if (!skipSpace(canonical)) return false;
  if (text.charCodeAt(pos) === CLOSE_ARRAY) {
    pos++;
    return true;
  }
  for (;;) {
    if (!skipSpace(canonical) || !skipValue(canonical) || !skipSpace(canonical)) return false;
    keys++;
    if (text.charCodeAt(pos++) === CLOSE_ARRAY) return true;
  }
}

/** `pos` at the opening quote; jumps to the closing one with indexOf. */
function skipString(canonical: boolean): boolean {
  let end = indexOrEnd('"', pos + 1);
  if (nextBackslash <= pos) nextBackslash = indexOrEnd(BACKSLASH_TEXT, pos + 1);
  while (nextBackslash < end) {
    const escaped = text.charCodeAt(nextBackslash + 1);
    if (canonical && !printedAsIs(escaped)) return false;
    const after = nextBackslash + (escaped === 117 ? 6 : 2);
    // The quote found was the escaped one: the string goes on.
    if (after > end) end = indexOrEnd('"', after);
    nextBackslash = indexOrEnd(BACKSLASH_TEXT, after);
  }
  pos = end + 1;
  return true;
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

function skipNumber(canonical: boolean): boolean {
  const start = pos;
  let c = text.charCodeAt(pos);
  if (c === MINUS) c = text.charCodeAt(++pos);
  const digitsStart = pos;
  while (c >= ZERO && c <= NINE) c = text.charCodeAt(++pos);
  const integerDigits = pos - digitsStart;
  let integer = true;
  // Fraction and exponent: `.`, digits, `e`/`E`, `+`/`-`.
  while (c === 46 || (c >= ZERO && c <= NINE) || c === 101 || c === 69 || c === 43 || c === MINUS) {
    integer = false;
    c = text.charCodeAt(++pos);
  }
  if (!canonical) return true;
  if (integer && integerDigits <= LONGEST_EXACT_INTEGER) {
    // `-0` parses as -0, which JSON.stringify prints as `0`.
    return !(digitsStart > start && integerDigits === 1 && text.charCodeAt(digitsStart) === ZERO);
  }
  const written = text.slice(start, pos);
  return String(Number(written)) === written;
}
