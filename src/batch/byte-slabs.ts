/** The first slab: a batch of one row costs little. */
const FIRST_SLAB_BYTES = 16 * 1024;
/** Slabs double up to this size (the insert body is written in pieces of about this size). */
const LARGEST_SLAB_BYTES = 1024 * 1024;

/**
 * Byte strings appended back to back into a few large buffers (slabs) that double in size
 * up to 1 MiB: a batch holds thousands of rows and messages as a handful of objects the
 * garbage collector never copies or traces, instead of one string or Buffer each. Only
 * appended to; each piece is addressed by its number.
 */
export class ByteSlabs {
  readonly slabs: Buffer[] = [];
  readonly #slabOf: number[] = [];
  readonly #starts: number[] = [];
  readonly #ends: number[] = [];
  #used = 0;

  get count(): number {
    return this.#ends.length;
  }

  /** Copies `bytes` in; returns the piece's number. */
  append(bytes: Uint8Array): number {
    const slab = this.#room(bytes.length);
    slab.set(bytes, this.#used);
    this.#slabOf.push(this.slabs.length - 1);
    this.#starts.push(this.#used);
    this.#used += bytes.length;
    this.#ends.push(this.#used);
    return this.#ends.length - 1;
  }

  /** Piece `n` (a view into its slab: do not modify). */
  piece(n: number): Buffer {
    return this.slabs[this.#slabOf[n]!]!.subarray(this.#starts[n], this.#ends[n]);
  }

  size(n: number): number {
    return this.#ends[n]! - this.#starts[n]!;
  }

  /**
   * Pieces `ns` (in this order) as the fewest views: pieces that lie back to back in a slab
   * go as one, so all pieces in order are about one view per slab.
   */
  *views(ns: Iterable<number>): Generator<Buffer> {
    let slab = -1;
    let from = 0;
    let to = 0;
    for (const n of ns) {
      const s = this.#slabOf[n]!;
      if (s === slab && this.#starts[n] === to) {
        to = this.#ends[n]!;
        continue;
      }
      if (slab >= 0) yield this.slabs[slab]!.subarray(from, to);
      slab = s;
      from = this.#starts[n]!;
      to = this.#ends[n]!;
    }
    if (slab >= 0) yield this.slabs[slab]!.subarray(from, to);
  }

  /** The current slab if `bytes` fit in it, else a new one (doubling, or as large as needed). */
  #room(bytes: number): Buffer {
    const current = this.slabs[this.slabs.length - 1];
    if (current !== undefined && current.length - this.#used >= bytes) return current;
    const next = Math.max(
      bytes,
      current === undefined ? FIRST_SLAB_BYTES : Math.min(current.length * 2, LARGEST_SLAB_BYTES),
    );
    const slab = Buffer.allocUnsafeSlow(next);
    this.slabs.push(slab);
    this.#used = 0;
    return slab;
  }
}
