import type { IHeaders } from 'kafkajs';
import { ByteSlabs } from './byte-slabs.ts';
import { detachedHeaders, type SourceMessage } from './source-message.ts';

/** A row's origin as the batch takes it: the message, and the month the row lands in. */
export interface RowOrigin {
  readonly source: SourceMessage;
  /** The row's ClickHouse partition, YYYYMM (sink/split-by-partition.ts). */
  readonly partitionKey: number;
}

/**
 * A batch's rows as it fills: each row's serialised line and the original message it came
 * from (key, value, headers: what a dead letter carries if ClickHouse refuses the row) are
 * copied as bytes into slabs (byte-slabs.ts), and its offset, timestamp and month into plain
 * arrays. No object per row survives the message: the garbage collector's work no longer
 * grows with what the batches hold, and the insert body is the line slabs themselves.
 * Only appended to; a sealed batch's rows are read through RowLines.
 */
export class RowLineWriter {
  readonly #store: RowStore;

  constructor(topic: string, partition: number) {
    this.#store = {
      topic,
      partition,
      lines: new ByteSlabs(),
      originals: new ByteSlabs(),
      offsets: [],
      timestamps: [],
      values: [],
      keys: [],
      headers: new Map(),
      partitionKeys: [],
    };
  }

  get length(): number {
    return this.#store.offsets.length;
  }

  /**
   * Copies one row in: its line's bytes (newline included) and its message's bytes (the
   * message may be a slice of kafkajs's fetch response: nothing of it is kept). Returns the
   * line's length.
   */
  append(line: Uint8Array, origin: RowOrigin): number {
    const store = this.#store;
    const { source } = origin;
    store.lines.append(line);
    store.offsets.push(source.offset);
    store.timestamps.push(source.timestampMs);
    store.values.push(source.value === null ? -1 : store.originals.append(source.value));
    store.keys.push(source.key === null ? -1 : store.originals.append(source.key));
    if (source.headers !== undefined && hasAny(source.headers)) {
      store.headers.set(store.offsets.length - 1, detachedHeaders(source.headers)!);
    }
    store.partitionKeys.push(origin.partitionKey);
    return line.length;
  }

  /** The rows written so far. The writer must not be appended to afterwards. */
  lines(): RowLines {
    return new RowLines(this.#store, undefined);
  }
}

function hasAny(headers: IHeaders): boolean {
  for (const _ in headers) return true;
  return false;
}

interface RowStore {
  readonly topic: string;
  readonly partition: number;
  readonly lines: ByteSlabs;
  /** Values and keys of the rows' messages. */
  readonly originals: ByteSlabs;
  readonly offsets: string[];
  readonly timestamps: number[];
  /** Piece numbers in `originals` (-1: null). */
  readonly values: number[];
  readonly keys: number[];
  /** Only rows whose message had headers. */
  readonly headers: Map<number, IHeaders>;
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
   * gives row i's message and month (default: partition t[0], offset i, the line as value).
   */
  static of(
    lines: Iterable<string | Uint8Array>,
    origin: (i: number, line: string | Uint8Array) => RowOrigin = defaultOrigin,
  ): RowLines {
    let writer: RowLineWriter | undefined;
    let i = 0;
    for (const line of lines) {
      const o = origin(i++, line);
      writer ??= new RowLineWriter(o.source.topic, o.source.partition);
      writer.append(typeof line === 'string' ? Buffer.from(line, 'utf8') : line, o);
    }
    return (writer ?? new RowLineWriter('t', 0)).lines();
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

  /** The message row `k` came from, as it arrived (its bytes are views into the slabs). */
  source(k: number): SourceMessage {
    const store = this.#store;
    const id = this.#id(k);
    const value = store.values[id]!;
    const key = store.keys[id]!;
    return {
      topic: store.topic,
      partition: store.partition,
      offset: store.offsets[id]!,
      key: key < 0 ? null : store.originals.piece(key),
      value: value < 0 ? null : store.originals.piece(value),
      headers: store.headers.get(id) ?? {},
      timestampMs: store.timestamps[id]!,
    };
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

function defaultOrigin(i: number, line: string | Uint8Array): RowOrigin {
  return {
    source: {
      topic: 't',
      partition: 0,
      offset: String(i),
      key: null,
      value: Buffer.from(line),
      headers: {},
      timestampMs: 0,
    },
    partitionKey: 0,
  };
}
