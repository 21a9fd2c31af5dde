import { deadLetter, type Outcome } from './outcome.ts';

/**
 * What one decoded event may cost, whatever its wire format. Without bounds, one team's
 * message could stop a partition for everyone: a 36 KB event nesting 6,000 arrays deep is
 * valid JSON that V8 parses, but every recursive step after it (JSON.stringify, scrubbing,
 * ClickHouse's JSON reader, `input_format_json_max_depth` 1000) overflows its stack.
 */
export interface ValueLimits {
  /** Deepest nesting of objects and arrays; the event object itself is depth 1. */
  readonly maxDepth: number;
  /** Keys of every object plus items of every array, counted over the whole event. */
  readonly maxKeys: number;
  /** Longest string (value or key), in UTF-16 code units (JavaScript string length). */
  readonly maxStringLength: number;
}

/**
 * Walks `value` iteratively (an explicit stack, so no input can overflow the call stack)
 * and returns the first limit it passes as a dead letter, or undefined when it fits.
 * `path` names the field the walk starts from, for the reason text.
 */
export function checkValueLimits(
  value: unknown,
  limits: ValueLimits,
  path = 'event',
): Outcome<never> | undefined {
  // Two parallel stacks, reused between calls: no object per node walked (once per message).
  const values = WALK_VALUES;
  const depths = WALK_DEPTHS;
  let top = 0;
  let high = 1;
  values[top] = value;
  depths[top++] = 1;
  let keys = 0;
  let problem: Outcome<never> | undefined;
  while (top > 0 && problem === undefined) {
    const current = values[--top];
    const depth = depths[top]!;
    if (typeof current === 'string') {
      if (current.length > limits.maxStringLength)
        problem = stringTooLong(path, current.length, limits);
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (depth > limits.maxDepth) {
      problem = deadLetter(
        'too_deeply_nested',
        `${path} nests objects or arrays more than ${limits.maxDepth} levels deep`,
      );
    } else if (Array.isArray(current)) {
      keys += current.length;
      if (keys > limits.maxKeys) problem = tooManyKeys(path, limits);
      else {
        for (const item of current) {
          values[top] = item;
          depths[top++] = depth + 1;
        }
        if (top > high) high = top;
      }
    } else if (!ArrayBuffer.isView(current)) {
      // Avro decodes bytes/fixed as Buffers and maps as plain objects: only plain data is walked.
      for (const key in current) {
        if (!Object.hasOwn(current, key)) continue;
        keys++;
        if (keys > limits.maxKeys) problem = tooManyKeys(path, limits);
        else if (key.length > limits.maxStringLength)
          problem = stringTooLong(path, key.length, limits);
        if (problem !== undefined) break;
        values[top] = (current as Record<string, unknown>)[key];
        depths[top++] = depth + 1;
      }
      if (top > high) high = top;
    }
  }
  // Nothing of this message stays reachable from the shared stack.
  values.fill(undefined, 0, high);
  return problem;
}

/** The walk's stack (values and their depths), grown as needed and shared by every call. */
const WALK_VALUES: unknown[] = [];
const WALK_DEPTHS: number[] = [];

function tooManyKeys(path: string, limits: ValueLimits): Outcome<never> {
  return deadLetter(
    'too_many_keys',
    `${path} has more than ${limits.maxKeys} keys and array items in all`,
  );
}

function stringTooLong(path: string, length: number, limits: ValueLimits): Outcome<never> {
  return deadLetter(
    'string_too_long',
    `${path} holds a string of ${length} characters, above the ${limits.maxStringLength}-character limit`,
  );
}
