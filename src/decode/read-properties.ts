import { FieldProblem, typeName } from './field-readers.ts';

/**
 * `properties` arrives as an object or, as in HIP-47's HTTP example, as JSON text. Its size
 * limit is checked on the text that is stored (finishRow), after privacy scrubbing.
 */
export function readProperties(
  value: unknown,
): { text: string | undefined; object: Record<string, unknown> } | FieldProblem {
  if (value === undefined || value === null) return { text: '{}', object: {} };
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
  }
  if (object === null || typeof object !== 'object' || Array.isArray(object)) {
    return new FieldProblem('properties', `must be an object, got ${typeName(object)}`);
  }
  return { text, object: object as Record<string, unknown> };
}
