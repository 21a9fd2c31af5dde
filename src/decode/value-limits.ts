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
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 1 }];
  let keys = 0;
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop()!;
    if (typeof current === 'string') {
      if (current.length > limits.maxStringLength)
        return stringTooLong(path, current.length, limits);
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (depth > limits.maxDepth) {
      return deadLetter(
        'too_deeply_nested',
        `${path} nests objects or arrays more than ${limits.maxDepth} levels deep`,
      );
    }
    if (Array.isArray(current)) {
      keys += current.length;
      if (keys > limits.maxKeys) return tooManyKeys(path, limits);
      for (const item of current) stack.push({ value: item, depth: depth + 1 });
      continue;
    }
    // Avro decodes bytes/fixed as Buffers and maps as plain objects: only plain data is walked.
    if (ArrayBuffer.isView(current)) continue;
    for (const key in current) {
      if (!Object.hasOwn(current, key)) continue;
      keys++;
      if (keys > limits.maxKeys) return tooManyKeys(path, limits);
      if (key.length > limits.maxStringLength) return stringTooLong(path, key.length, limits);
      stack.push({ value: (current as Record<string, unknown>)[key], depth: depth + 1 });
    }
  }
  return undefined;
}

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
