import { ByteSlabs } from './byte-slabs.ts';

/** Where a row came from, as the batch keeps it: its message's offset and the row's month. */
export interface RowOrigin {
  readonly offset: string;
  /** The row's ClickHouse partition, YYYYMM (sink/split-by-partition.ts). */
  readonly partitionKey: number;
}

/**
 * A batch's rows as it fills: each row's serialised bytes are copied into slabs
 * (byte-slabs.ts), its offset and month into plain arrays. No object per row survives the
 * message: the garbage collector's work does not grow with what the batches hold, and the
 * insert body is the slabs themselves. The original messages are not kept: the rare row
 * ClickHouse refuses has its message read again from Kafka for its dead letter
 * (deliver/recover-originals.ts), so the memory budget holds rows only.
 * Only appended to; a sealed batch's rows are read through RowLines.
 */
export class RowLineWriter {
  readonly #store: RowStore = { lines: new ByteSlabs(), offsets: [], partitionKeys: [] };

  get length(): number {
    return this.#store.offsets.length;
  }

  /** Copies one row in (the bytes may be a reused buffer). Returns the row's length. */
  append(line: Uint8Array, origin: RowOrigin): number {
    const store = this.#store;
    store.lines.append(line);
    store.offsets.push(origin.offset);
    store.partitionKeys.push(origin.partitionKey);
    return line.length;
  }

  /** The rows written so far. The writer must not be appended to afterwards. */
  lines(): RowLines {
    return new RowLines(this.#store, undefined);
  }
}

interface RowStore {
  readonly lines: ByteSlabs;
  readonly offsets: string[];
  readonly partitionKeys: number[];
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

  /**
   * Rows given as text or bytes (tests, the bench, tools), copied into their own slabs; `origin`
   * gives row i's offset and month (default: offset i, month 0).
   */
  static of(
    lines: Iterable<string | Uint8Array>,
    origin: (i: number) => RowOrigin = (i) => ({ offset: String(i), partitionKey: 0 }),
  ): RowLines {
    const writer = new RowLineWriter();
    let i = 0;
    for (const line of lines) {
      writer.append(typeof line === 'string' ? Buffer.from(line, 'utf8') : line, origin(i++));
    }
    return writer.lines();
  }

  get length(): number {
    return this.#ids?.length ?? this.#store.offsets.length;
  }

  /** The UTF-8 size of these rows (the insert body's size). */
  get byteLength(): number {
    let bytes = 0;
    for (let k = 0; k < this.length; k++) bytes += this.#store.lines.size(this.#id(k));
    return bytes;
  }

  /** Row `k`'s line (a view into the slab: do not modify). */
  bytes(k: number): Buffer {
    return this.#store.lines.piece(this.#id(k));
  }

  /** Row `k`'s line as text (for the rare paths that read a row: the landed-rows check, tests). */
  text(k: number): string {
    return this.bytes(k).toString('utf8');
  }

  texts(): string[] {
    return Array.from({ length: this.length }, (_, k) => this.text(k));
  }

  /** The Kafka offset of row `k`'s message. */
  offset(k: number): string {
    return this.#store.offsets[this.#id(k)]!;
  }

  /** Row `k`'s ClickHouse partition (YYYYMM). */
  partitionKey(k: number): number {
    return this.#store.partitionKeys[this.#id(k)]!;
  }

  /** Rows [from, to) of these, as slice() on an array. */
  slice(from: number, to: number = this.length): RowLines {
    const end = Math.min(to, this.length);
    const ids: number[] = [];
    for (let k = Math.max(0, from); k < end; k++) ids.push(this.#id(k));
    return new RowLines(this.#store, ids);
  }

  /** These rows but those at positions `ks` (the ones found landed, say). */
  omit(ks: ReadonlySet<number>): RowLines {
    const kept: number[] = [];
    for (let k = 0; k < this.length; k++) if (!ks.has(k)) kept.push(k);
    return this.pick(kept);
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
  chunks(): Generator<Buffer> {
    return this.#store.lines.views(this.#ids ?? range(this.#store.offsets.length));
  }

  #id(k: number): number {
    return this.#ids === undefined ? k : this.#ids[k]!;
  }
}

function* range(n: number): Generator<number> {
  for (let i = 0; i < n; i++) yield i;
}
