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
 *   left before avsc reads the payload: every item (or map key) costs at least one byte.
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

/** True when `type` has an array or map anywhere: its payloads need `blockCountProblem`. */
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

/**
 * Walks `payload` as `type` writes it without building the value, and says why it cannot be
 * one: a block count above the bytes left, or bytes ending early. Undefined when the counts
 * are plausible (avsc still decodes and checks everything else). Assumes no zero-width
 * array items (`zeroWidthRepeat` refused those schemas).
 */
export function blockCountProblem(type: AvroType, payload: Uint8Array): string | undefined {
  const reader = new PayloadWalker(payload);
  try {
    reader.skip(type);
    return undefined;
  } catch (err) {
    if (err instanceof ImplausiblePayload) return err.message;
    throw err;
  }
}

class ImplausiblePayload extends Error {}

class PayloadWalker {
  #pos = 0;
  readonly #bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  skip(type: AvroType): void {
    const name = type.typeName;
    if (name.startsWith('logical:'))
      return this.skip((type as avro.types.LogicalType).underlyingType);
    switch (name) {
      case 'null':
        return;
      case 'boolean':
        return this.#advance(1);
      case 'int':
      case 'long':
      case 'abstract:long':
      case 'enum':
        this.#readLong();
        return;
      case 'float':
        return this.#advance(4);
      case 'double':
        return this.#advance(8);
      case 'bytes':
      case 'string':
        return this.#advance(this.#readLong());
      case 'fixed':
        return this.#advance((type as avro.types.FixedType).size);
      case 'union:unwrapped':
      case 'union:wrapped': {
        const branch = (type as avro.types.UnwrappedUnionType).types[this.#readLong()];
        if (branch === undefined) throw new ImplausiblePayload('union branch out of range');
        return this.skip(branch);
      }
      case 'array':
        return this.#skipBlocks(() => this.skip((type as avro.types.ArrayType).itemsType));
      case 'map':
        return this.#skipBlocks(() => {
          this.#advance(this.#readLong());
          this.skip((type as avro.types.MapType).valuesType as AvroType);
        });
      default:
        // record, error
        for (const field of (type as avro.types.RecordType).fields) this.skip(field.type);
    }
  }

  #skipBlocks(skipItem: () => void): void {
    for (;;) {
      let count = this.#readLong();
      if (count === 0) return;
      if (count < 0) {
        count = -count;
        this.#readLong(); // the block's size in bytes, which we do not trust either
      }
      const left = this.#bytes.length - this.#pos;
      if (count > left) {
        throw new ImplausiblePayload(
          `a block claims ${count} items with ${left} bytes left (each item takes at least one)`,
        );
      }
      for (let i = 0; i < count; i++) skipItem();
    }
  }

  #advance(n: number): void {
    if (n < 0 || this.#pos + n > this.#bytes.length) {
      throw new ImplausiblePayload('truncated: the value runs past the end of the message');
    }
    this.#pos += n;
  }

  /** A zig-zag varint as avsc reads it (up to 2^53). */
  #readLong(): number {
    let magnitude = 0;
    let scale = 1;
    for (let shift = 0; shift < 64; shift += 7) {
      const byte = this.#bytes[this.#pos++];
      if (byte === undefined) throw new ImplausiblePayload('truncated: a number runs past the end');
      magnitude += (byte & 0x7f) * scale;
      scale *= 128;
      if ((byte & 0x80) === 0) {
        return magnitude % 2 === 0 ? magnitude / 2 : -(magnitude + 1) / 2;
      }
    }
    throw new ImplausiblePayload('a number is longer than 10 bytes');
  }
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
