import { FieldProblem, type Raw } from './field-readers.ts';
import { TOP_LEVEL_FIELDS } from './top-level-fields.ts';

/** The contract's top-level fields (top-level-fields.ts): what is not folded. */
export const KNOWN_TOP_LEVEL_FIELDS: ReadonlySet<string> = new Set(TOP_LEVEL_FIELDS);

/** Where a top-level field goes when `properties` already has a key of its name. */
export const CLASHING_FIELDS_KEY = '$unknown_fields';

/**
 * Folds the event's unknown top-level fields into its parsed `properties`, in place, and
 * returns their names (in message order). A field goes under its own name, after the
 * properties' own keys; when `properties` already has that key, the property keeps it and
 * the top-level value goes to `properties.$unknown_fields.<name>` (one object, added last).
 * Nothing is overwritten: if the producer itself sent `properties.$unknown_fields` and a
 * field clashes, the event is a `wrong_type` dead letter rather than losing a value.
 */
export function foldUnknownFields(
  event: Raw,
  properties: Record<string, unknown>,
): string[] | FieldProblem {
  const folded: string[] = [];
  let clashes: Record<string, unknown> | undefined;
  for (const name in event) {
    if (!Object.hasOwn(event, name) || KNOWN_TOP_LEVEL_FIELDS.has(name)) continue;
    const value = event[name];
    // A key JSON.stringify would drop anyway (never in JSON input; Avro has a fixed schema).
    if (value === undefined) continue;
    folded.push(name);
    if (Object.hasOwn(properties, name)) setOwn((clashes ??= {}), name, value);
    else setOwn(properties, name, value);
  }
  if (clashes !== undefined) {
    if (Object.hasOwn(properties, CLASHING_FIELDS_KEY)) {
      return new FieldProblem(
        `properties.${CLASHING_FIELDS_KEY}`,
        'is reserved for top-level fields that clash with properties, and the event has such a field',
      );
    }
    properties[CLASHING_FIELDS_KEY] = clashes;
  }
  return folded;
}

/** An own, enumerable key even for `__proto__` (plain assignment would set the prototype). */
function setOwn(object: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(object, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}
