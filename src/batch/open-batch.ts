import type { DeadLetter } from '../decode/outcome.ts';
import { RowLineWriter } from './row-lines.ts';
import { heldBytes, messageBytes, type SourceMessage } from './source-message.ts';
import { sealBatch, type RejectedMessage, type SealedBatch } from './sealed-batch.ts';

export interface BatchLimits {
  readonly maxRows: number;
  readonly maxBytes: number;
  readonly maxAgeMs: number;
}

/**
 * The batch a partition is filling: a contiguous offset range whose messages became either
 * rows (their serialised bytes: row-lines.ts) or dead letters (their whole messages).
 * Offsets must arrive in order with no gaps other than those Kafka itself leaves
 * (compaction, transaction markers).
 */
export class OpenBatch {
  readonly topic: string;
  readonly partition: number;
  readonly startedAt: number;
  readonly #rows: RowLineWriter;
  readonly #rejected: RejectedMessage[] = [];
  #bytes = 0;
  /** Bytes of the dead letters (key, value, headers): what the DLQ writes will carry. */
  #deadLetterBytes = 0;
  #memoryBytes = 0;
  #firstOffset: bigint | undefined;
  #lastOffset: bigint | undefined;

  constructor(topic: string, partition: number, now: number) {
    this.topic = topic;
    this.partition = partition;
    this.startedAt = now;
    this.#rows = new RowLineWriter();
  }

  get rowCount(): number {
    return this.#rows.length;
  }

  /**
   * Rows and dead letters: what the row cap counts. Dead letters count like rows so that a
   * run of bad messages makes batches (and DLQ writes) no larger than a run of good ones.
   */
  get messageCount(): number {
    return this.#rows.length + this.#rejected.length;
  }

  /** Row bytes plus dead-letter bytes: what the byte cap counts. */
  get cappedBytes(): number {
    return this.#bytes + this.#deadLetterBytes;
  }

  /** Bytes of the JSON rows (what the insert will carry). */
  get bytes(): number {
    return this.#bytes;
  }

  /** Bytes held in memory for this batch: rows, and dead letters' messages (heldBytes). */
  get memoryBytes(): number {
    return this.#memoryBytes;
  }

  get lastOffset(): bigint | undefined {
    return this.#lastOffset;
  }

  get isEmpty(): boolean {
    return this.#firstOffset === undefined;
  }

  /**
   * Would one more message of `bytes` (a row's JSON, or a dead letter's messageBytes) break
   * a limit? (An empty batch always takes one.)
   */
  wouldOverflow(bytes: number, limits: BatchLimits): boolean {
    if (this.isEmpty) return false;
    return this.messageCount + 1 > limits.maxRows || this.cappedBytes + bytes > limits.maxBytes;
  }

  isFull(limits: BatchLimits): boolean {
    return this.messageCount >= limits.maxRows || this.cappedBytes >= limits.maxBytes;
  }

  isDue(now: number, limits: BatchLimits): boolean {
    return !this.isEmpty && now - this.startedAt >= limits.maxAgeMs;
  }

  /**
   * `line`: the row's serialised bytes (copied in, row-lines.ts); `source`: its message (only
   * its offset is kept); `partitionKey`: the ClickHouse partition the row lands in
   * (sink/split-by-partition.ts).
   */
  addRow(line: Uint8Array, source: SourceMessage, partitionKey: number): void {
    this.#advance(source, line.length);
    this.#bytes += this.#rows.append(line, { offset: source.offset, partitionKey });
  }

  addDeadLetter(source: SourceMessage, deadLetter: DeadLetter): void {
    this.#advance(source, undefined);
    this.#rejected.push({ source, deadLetter });
    this.#deadLetterBytes += messageBytes(source);
  }

  /** `commitFrom`: everything below it landed before this batch (sealed-batch.ts). */
  seal(commitFrom: bigint): SealedBatch {
    if (this.#firstOffset === undefined || this.#lastOffset === undefined) {
      throw new Error('cannot seal an empty batch');
    }
    return sealBatch({
      topic: this.topic,
      partition: this.partition,
      firstOffset: this.#firstOffset,
      lastOffset: this.#lastOffset,
      rows: this.#rows.lines(),
      rejected: this.#rejected,
      bytes: this.#bytes,
      memoryBytes: this.memoryBytes,
      startedAt: this.startedAt,
      commitFrom,
    });
  }

  #advance(source: SourceMessage, rowBytes: number | undefined): void {
    const offset = BigInt(source.offset);
    if (this.#lastOffset !== undefined && offset <= this.#lastOffset) {
      throw new Error(
        `offset ${offset} out of order after ${this.#lastOffset} on ${this.topic}[${this.partition}]`,
      );
    }
    this.#firstOffset ??= offset;
    this.#lastOffset = offset;
    this.#memoryBytes += heldBytes(source, rowBytes);
  }
}
