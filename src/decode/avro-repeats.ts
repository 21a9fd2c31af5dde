import type avro from 'avsc';

type AvroType = ReturnType<typeof avro.Type.forSchema>;

/*
 * Avro arrays and maps are written as blocks: a count, then that many items. avsc loops over
 * the count as written and checks for running past the end only once the value is read, so
 * a 6-byte block count claiming 4 billion items costs minutes of event loop (or the heap)
 * before the 'truncated buffer' error. Two guards close that:
 * - a writer schema whose array items take zero bytes is refused (its counts cost nothing
 *   in-bounds, so no byte check can bound them);
 * - for every other schema with arrays or maps, each block count is checked against the bytes
 *   left before avsc reads the payload (avro-block-counts.ts).
 */

/** Where (`$.field[]...`) `type` repeats items that take zero bytes (`array<null>`, of `{}`...). */
export function zeroWidthRepeat(type: AvroType): string | undefined {
  const seen = new Set<AvroType>();
  const visit = (t: AvroType, path: string): string | undefined => {
    if (seen.has(t)) return undefined;
    seen.add(t);
    const items = childTypes(t);
    if (t.typeName === 'array' && isZeroWidth(items[0]!.type)) {
      return `${path} is an array of ${describe(items[0]!.type)}`;
    }
    for (const child of items) {
      const found = visit(child.type, child.name === '' ? path : joinPath(path, child.name));
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return visit(type, '$');
}

/** True when `type` has an array or map anywhere: its payloads need `blockCountProblem` (avro-block-counts.ts). */
export function hasRepeats(type: AvroType): boolean {
  const seen = new Set<AvroType>();
  const visit = (t: AvroType): boolean => {
    if (seen.has(t)) return false;
    seen.add(t);
    if (t.typeName === 'array' || t.typeName === 'map') return true;
    return childTypes(t).some((child) => visit(child.type));
  };
  return visit(type);
}

/** The types directly inside `type`, with the field name that leads to each ('' for none). */
function childTypes(type: AvroType): { name: string; type: AvroType }[] {
  const name = type.typeName;
  if (name.startsWith('logical:')) {
    return [{ name: '', type: (type as avro.types.LogicalType).underlyingType }];
  }
  switch (name) {
    case 'array':
      return [{ name: '[]', type: (type as avro.types.ArrayType).itemsType }];
    case 'map':
      return [{ name: '{}', type: (type as avro.types.MapType).valuesType as AvroType }];
    case 'union:unwrapped':
    case 'union:wrapped':
      return (type as avro.types.UnwrappedUnionType).types.map((t) => ({ name: '', type: t }));
    case 'record':
    case 'error':
      return (type as avro.types.RecordType).fields.map((f) => ({ name: f.name, type: f.type }));
    default:
      return [];
  }
}

/** Encodes in zero bytes: null, fixed(0), and records of only such fields (`{}` included). */
function isZeroWidth(type: AvroType, inProgress = new Set<AvroType>()): boolean {
  const name = type.typeName;
  if (name === 'null') return true;
  if (name === 'fixed') return (type as avro.types.FixedType).size === 0;
  if (name.startsWith('logical:')) {
    return isZeroWidth((type as avro.types.LogicalType).underlyingType, inProgress);
  }
  if (name !== 'record' && name !== 'error') return false;
  // A record holding itself directly is no finite encoding: not ours to judge here.
  if (inProgress.has(type)) return false;
  inProgress.add(type);
  return (type as avro.types.RecordType).fields.every((f) => isZeroWidth(f.type, inProgress));
}

function describe(type: AvroType): string {
  if (type.typeName === 'fixed') return 'fixed(0)';
  if (type.typeName === 'record' || type.typeName === 'error') {
    return `record ${type.name ?? '(anonymous)'} of zero-byte fields`;
  }
  return type.typeName;
}

function joinPath(path: string, step: string): string {
  return step === '[]' || step === '{}' ? `${path}${step}` : `${path}.${step}`;
}
