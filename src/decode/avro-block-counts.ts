import type avro from 'avsc';

type AvroType = ReturnType<typeof avro.Type.forSchema>;

/*
 * Avro arrays and maps are written as blocks: a count, then that many items. avsc loops over
 * the count as written and checks for running past the end only once the value is read, so a
 * 6-byte block count claiming 4 billion items would cost minutes of event loop (or the heap).
 * For schemas with arrays or maps (avro-repeats.ts `hasRepeats`), each block count is checked
 * against the bytes left before avsc reads the payload: every item (or map key) costs at least
 * one byte.
 */

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
