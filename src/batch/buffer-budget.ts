/** Paused partitions resume once the held bytes fall below this share of the budget. */
const RESUME_BELOW = 0.75;

/** A partition's open batch, as the budget sees it when it runs short. */
export interface OpenBatchHolder {
  /** Bytes of the open batch (0: nothing to seal). */
  readonly openBytes: number;
  /** Seals the open batch to ship it now; false when it cannot (a sealed batch waits, a re-formed range). */
  sealForRoom(): boolean;
}

/**
 * The worker's memory budget for batches (INGEST_MAX_BUFFERED_BYTES): what every partition pipeline holds
 * in its open, waiting and in-flight batches, counted as each message is taken and each
 * batch lands. A batcher asks before taking a message, so the total never passes the limit,
 * except by a message taken while nothing else is held (one larger than the whole budget
 * must still move) or by the messages of a pending range being re-formed (fixed by a crash
 * and never split, so it is taken whole).
 *
 * When it runs short, the budget decides which open batch ships early (`makeRoom`): the
 * largest, not the one of whichever partition asked, so batches sealed under pressure come
 * out about as large as the budget allows (ClickHouse pays per insert: each one also writes
 * a part per rollup its views feed).
 */
export class BufferBudget {
  readonly limitBytes: number;
  #heldBytes = 0;
  readonly #holders = new Set<OpenBatchHolder>();

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

  /** `holder` has an open batch the budget may seal early (until it is withdrawn). */
  enroll(holder: OpenBatchHolder): void {
    this.#holders.add(holder);
  }

  withdraw(holder: OpenBatchHolder): void {
    this.#holders.delete(holder);
  }

  /**
   * A message was refused for want of room: unless enough is on its way out already (sealed
   * or in flight: once it lands the paused partitions resume), the largest open batch that
   * can be sealed is sealed to ship now. Nothing is sealed twice for one shortage, and a
   * partition that asks with a small batch keeps filling it once room comes back.
   */
  makeRoom(): void {
    let openBytes = 0;
    for (const holder of this.#holders) openBytes += holder.openBytes;
    const leaving = this.#heldBytes - openBytes;
    if (leaving >= this.limitBytes * (1 - RESUME_BELOW)) return;
    const bySize = [...this.#holders]
      .filter((holder) => holder.openBytes > 0)
      .sort((a, b) => b.openBytes - a.openBytes);
    for (const holder of bySize) if (holder.sealForRoom()) return;
  }
}
