import type { DecodedEvent } from '../decode/decoded-event.ts';
import { CLASHING_FIELDS_KEY } from '../decode/fold-unknown-fields.ts';

/**
 * A configured field path, compiled once: `properties.$ip` reads the parsed properties,
 * `context.ip` reads the event's own top-level fields. Reading never throws.
 */
export interface EventField {
  readonly path: string;
  read(event: DecodedEvent): unknown;
  /**
   * Deletes the value from `properties`: a `properties.` path there, a top-level path from
   * the copy decode folded into `properties` (fold-unknown-fields.ts). True when something
   * was removed.
   */
  remove(event: DecodedEvent): boolean;
}

export function compileEventField(path: string): EventField {
  const segments = path.split('.');
  const inProperties = segments[0] === 'properties' && segments.length > 1;
  const rest = inProperties ? segments.slice(1) : segments;
  const removeProperty = compilePropertyRemover(rest);
  return {
    path,
    read: inProperties
      ? (event) => readPath(event.properties, rest)
      : (event) => readPath(event.event, rest),
    remove: inProperties ? (event) => removeProperty(event.properties) : compileFoldedRemover(rest),
  };
}

/** Removes a top-level field's path from where decode folded it: its own key or the clashes. */
function compileFoldedRemover(segments: readonly string[]): (event: DecodedEvent) => boolean {
  const root = segments[0] ?? '';
  const own = compilePropertyRemover(segments);
  const clashing = compilePropertyRemover([CLASHING_FIELDS_KEY, ...segments]);
  return (event) => {
    if (event.foldedFields?.includes(root) !== true) return false;
    const clashes = event.properties[CLASHING_FIELDS_KEY];
    const clashed =
      isPlainObject(clashes) && Object.hasOwn(clashes, root) && clashes[root] === event.event[root];
    return clashed ? clashing(event.properties) : own(event.properties);
  };
}

/** The first configured field that holds a non-empty string, else the first holding anything. */
export function readFirstPresent(fields: readonly EventField[], event: DecodedEvent): unknown {
  let found: unknown;
  for (const field of fields) {
    const value = field.read(event);
    if (typeof value === 'string' && value !== '') return value;
    if (found === undefined && value !== undefined && value !== null) found = value;
  }
  return found;
}

/** A remover of one (possibly nested, dot-separated) key of a properties object. */
export function compilePropertyRemover(
  segments: readonly string[],
): (properties: Record<string, unknown>) => boolean {
  const parentPath = segments.slice(0, -1);
  const last = segments[segments.length - 1] ?? '';
  return (properties) => {
    const parent = parentPath.length === 0 ? properties : readPath(properties, parentPath);
    if (!isPlainObject(parent) || !Object.hasOwn(parent, last) || parent[last] === undefined)
      return false;
    dropKey(parent, last);
    return true;
  };
}

/**
 * Removes a key from what will be serialised. Setting it to undefined (JSON.stringify skips
 * such keys) keeps the object's hidden class: `delete` would turn it into a slow dictionary
 * and make its one serialisation markedly slower. `__proto__` can only be deleted.
 */
export function dropKey(object: Record<string, unknown>, key: string): void {
  if (key === '__proto__') delete object[key];
  else object[key] = undefined;
}

/** Reads a path; a key set to undefined (dropped) reads as absent. */
function readPath(root: unknown, segments: readonly string[]): unknown {
  let node = root;
  for (const segment of segments) {
    if (!isPlainObject(node) || !Object.hasOwn(node, segment)) return undefined;
    node = node[segment];
  }
  return node;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
