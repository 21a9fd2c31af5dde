/** The first slab of a batch: a batch of one row costs little. */
const FIRST_SLAB_BYTES = 16 * 1024;
/** Slabs double up to this size (the insert body is written in pieces of about this size). */
const LARGEST_SLAB_BYTES = 1024 * 1024;
/** A UTF-16 code unit is at most 3 bytes of UTF-8 (a surrogate pair: 4 bytes for 2 units). */
const MAX_UTF8_PER_UNIT = 3;

/**
 * A batch's serialised rows as UTF-8 bytes, written back to back into a few large buffers
 * (slabs) as they are added, instead of one JavaScript string each. The insert body is then
 * the slabs themselves (no joining, no second encoding), and a batch of thousands of rows is
 * a handful of objects the garbage collector never copies or traces.
 * Rows are only appended; a sealed batch's rows are read through RowLines.
 */
export class RowLineWriter {
  readonly #slabs: Buffer[] = [];
  readonly #slabOf: number[] = [];
  readonly #starts: number[] = [];
  readonly #ends: number[] = [];
  #used = 0;

  get length(): number {
    return this.#ends.length;
  }

  /** Copies one row's bytes (a line, newline included) in; returns its length. */
  append(line: Uint8Array): number {
    const slab = this.#room(line.length);
    slab.set(line, this.#used);
    this.#record(line.length);
    return line.length;
  }

  /** The rows written so far. The writer must not be appended to afterwards. */
  lines(): RowLines {
    return new RowLines(
      { slabs: this.#slabs, slabOf: this.#slabOf, starts: this.#starts, ends: this.#ends },
      undefined,
    );
  }

  #record(bytes: number): void {
    this.#slabOf.push(this.#slabs.length - 1);
    this.#starts.push(this.#used);
    this.#used += bytes;
    this.#ends.push(this.#used);
  }

  /** The current slab if `bytes` fit in it, else a new one (doubling, or as large as needed). */
  #room(bytes: number): Buffer {
    const current = this.#slabs[this.#slabs.length - 1];
    if (current !== undefined && current.length - this.#used >= bytes) return current;
    const next = Math.max(
      bytes,
      current === undefined ? FIRST_SLAB_BYTES : Math.min(current.length * 2, LARGEST_SLAB_BYTES),
    );
    const slab = Buffer.allocUnsafeSlow(next);
    this.#slabs.push(slab);
    this.#used = 0;
    return slab;
  }
}

/** Lines up to a third of this many UTF-16 units are encoded in the reused buffer. */
const SCRATCH_BYTES = 64 * 1024;

/**
 * Encodes row lines to UTF-8 in one reused buffer, so that a row's exact size is known
 * before the batch takes it (the caps and the memory budget count bytes) without a second
 * pass over the string. The bytes returned are only valid until the next call. A rare
 * larger line gets a buffer of its own, so the scratch never grows.
 */
export class LineEncoder {
  readonly #scratch = Buffer.allocUnsafeSlow(SCRATCH_BYTES);

  encode(line: string): Buffer {
    if (line.length * MAX_UTF8_PER_UNIT > SCRATCH_BYTES) return Buffer.from(line, 'utf8');
    return this.#scratch.subarray(0, this.#scratch.write(line, 0));
  }
}

interface RowStore {
  readonly slabs: readonly Buffer[];
  readonly slabOf: readonly number[];
  readonly starts: readonly number[];
  readonly ends: readonly number[];
}

/**
 * Some of a batch's rows, in order: all of them, a range (the halves a refused insert is
 * split into), or a selection (a block of one month range, the rows not landed yet). Views
 * share the batch's slabs; nothing is copied until the bytes are sent.
 */
export class RowLines {
  readonly #store: RowStore;
  /** Indexes into the store; undefined: every row of the store, in order. */
  readonly #ids: readonly number[] | undefined;

  constructor(store: RowStore, ids: readonly number[] | undefined) {
    this.#store = store;
    this.#ids = ids;
  }

  /** Rows given as text (tests, the bench, tools): encoded into their own slabs. */
  static of(lines: Iterable<string>): RowLines {
    const writer = new RowLineWriter();
    const encoder = new LineEncoder();
    for (const line of lines) writer.append(encoder.encode(line));
    return writer.lines();
  }

  get length(): number {
    return this.#ids?.length ?? this.#store.ends.length;
  }

  /** The UTF-8 size of these rows (the insert body's size). */
  get byteLength(): number {
    let bytes = 0;
    for (let k = 0; k < this.length; k++) {
      const id = this.#id(k);
      bytes += this.#store.ends[id]! - this.#store.starts[id]!;
    }
    return bytes;
  }

  /** Row `k`'s bytes (a view into the slab: do not modify). */
  bytes(k: number): Buffer {
    const id = this.#id(k);
    const store = this.#store;
    return store.slabs[store.slabOf[id]!]!.subarray(store.starts[id], store.ends[id]);
  }

  /** Row `k` as text (for the rare paths that read a row: the landed-rows check, tests). */
  text(k: number): string {
    return this.bytes(k).toString('utf8');
  }

  texts(): string[] {
    return Array.from({ length: this.length }, (_, k) => this.text(k));
  }

  /** Rows [from, to) of these, as slice() on an array. */
  slice(from: number, to: number = this.length): RowLines {
    const end = Math.min(to, this.length);
    const ids: number[] = [];
    for (let k = Math.max(0, from); k < end; k++) ids.push(this.#id(k));
    return new RowLines(this.#store, ids);
  }

  /** The rows at positions `ks` (ascending) of these. */
  pick(ks: readonly number[]): RowLines {
    return new RowLines(
      this.#store,
      ks.map((k) => this.#id(k)),
    );
  }

  /**
   * The bytes to send, in order: runs of rows that lie back to back in a slab go as one
   * view, so a whole batch is about one piece per slab.
   */
  *chunks(): Generator<Buffer> {
    const { slabs, slabOf, starts, ends } = this.#store;
    let slab = -1;
    let from = 0;
    let to = 0;
    for (let k = 0; k < this.length; k++) {
      const id = this.#id(k);
      const s = slabOf[id]!;
      if (s === slab && starts[id] === to) {
        to = ends[id]!;
        continue;
      }
      if (slab >= 0) yield slabs[slab]!.subarray(from, to);
      slab = s;
      from = starts[id]!;
      to = ends[id]!;
    }
    if (slab >= 0) yield slabs[slab]!.subarray(from, to);
  }

  #id(k: number): number {
    return this.#ids === undefined ? k : this.#ids[k]!;
  }
}
