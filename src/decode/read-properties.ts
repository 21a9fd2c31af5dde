import { FieldProblem, typeName } from './field-readers.ts';
import type { PropertiesSource } from './properties-source.ts';

/** `properties` parsed, with the text it may be stored as while nothing changes it. */
export interface ReadProperties {
  readonly text: string | undefined;
  /** `text`'s top-level member spans, when it is the object's canonical text. */
  readonly members: readonly number[] | undefined;
  readonly object: Record<string, unknown>;
}

/**
 * `properties` arrives as an object or, as in HIP-47's HTTP example, as JSON text. Its size
 * limit is checked on the text that is stored (finishRow), after privacy scrubbing. `source`
 * is an object's own text, when the message's text shows it canonical (properties-source.ts).
 */
export function readProperties(
  value: unknown,
  source?: PropertiesSource,
): ReadProperties | FieldProblem {
  if (value === undefined || value === null) return { text: '{}', members: [], object: {} };
  let text: string | undefined;
  let object: unknown;
  if (typeof value === 'string') {
    text = value;
    try {
      object = JSON.parse(text);
    } catch {
      return new FieldProblem('properties', 'is a string but not valid JSON');
    }
  } else {
    object = value;
    if (source !== undefined) return { ...source, object: object as Record<string, unknown> };
  }
  if (object === null || typeof object !== 'object' || Array.isArray(object)) {
    return new FieldProblem('properties', `must be an object, got ${typeName(object)}`);
  }
  return { text, members: undefined, object: object as Record<string, unknown> };
}
