/** Paused partitions resume once the held bytes fall below this share of the budget. */
const RESUME_BELOW = 0.75;

/**
 * The worker's memory budget for batches (INGEST_MAX_BUFFERED_BYTES): what every partition pipeline holds
 * in its open, waiting and in-flight batches, counted as each message is taken and each
 * batch lands. A batcher asks before taking a message, so the total never passes the limit,
 * except by a message taken while nothing else is held (one larger than the whole budget
 * must still move) or by the messages of a pending range being re-formed (fixed by a crash
 * and never split, so it is taken whole).
 */
export class BufferBudget {
  readonly limitBytes: number;
  #heldBytes = 0;

  constructor(limitBytes: number) {
    this.limitBytes = limitBytes;
  }

  get heldBytes(): number {
    return this.#heldBytes;
  }

  /** May a message that costs `bytes` be taken now? */
  admits(bytes: number): boolean {
    return this.#heldBytes === 0 || this.#heldBytes + bytes <= this.limitBytes;
  }

  /** Enough room to resume paused partitions (with hysteresis, so they do not flap). */
  get hasRoom(): boolean {
    return this.#heldBytes < this.limitBytes * RESUME_BELOW;
  }

  hold(bytes: number): void {
    this.#heldBytes += bytes;
  }

  release(bytes: number): void {
    this.#heldBytes = Math.max(0, this.#heldBytes - bytes);
  }
}
