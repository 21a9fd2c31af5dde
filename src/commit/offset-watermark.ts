/**
 * The offset a partition may commit: everything below it has landed (inserted or
 * dead-lettered). Batches may complete out of order; the watermark only moves over a
 * contiguous prefix, so it never passes a batch that has not landed.
 */
export class OffsetWatermark {
  #committable: bigint;
  /** Next offset expected to be tracked. */
  #nextTracked: bigint;
  /** Tracked ranges in offset order, not yet folded into the watermark. */
  readonly #ranges: { first: bigint; last: bigint; done: boolean }[] = [];

  constructor(startOffset: bigint) {
    this.#committable = startOffset;
    this.#nextTracked = startOffset;
  }

  get committable(): bigint {
    return this.#committable;
  }

  /** Ranges tracked and not yet committable. */
  get open(): number {
    return this.#ranges.length;
  }

  /**
   * Registers [first, last]. Offsets Kafka never delivered between two ranges (compaction,
   * transaction markers, retention) are bridged into the later range: committing past
   * them is correct, since nothing can be read there.
   */
  track(first: bigint, last: bigint): void {
    if (last < first) throw new RangeError(`empty range ${first}-${last}`);
    if (first < this.#nextTracked) {
      throw new RangeError(
        `range ${first}-${last} overlaps offsets already tracked (next is ${this.#nextTracked})`,
      );
    }
    this.#ranges.push({ first: this.#nextTracked, last, done: false });
    this.#nextTracked = last + 1n;
  }

  /** Marks [first, last] landed; returns the new committable offset when it moved. */
  complete(first: bigint, last: bigint): bigint | undefined {
    const range = this.#ranges.find((r) => r.last === last && r.first <= first);
    if (range === undefined) throw new RangeError(`range ${first}-${last} is not tracked`);
    range.done = true;
    let moved = false;
    while (this.#ranges[0]?.done === true) {
      const head = this.#ranges.shift();
      if (head !== undefined) this.#committable = head.last + 1n;
      moved = true;
    }
    return moved ? this.#committable : undefined;
  }
}
