import type { PendingRange } from '../commit/pending-range.ts';
import type { Admission, BatcherDependencies, BatcherStart } from './batcher-contract.ts';
import type { Outcome } from '../decode/outcome.ts';
import type { SerialisedRow } from '../serialise/serialise-row-step.ts';
import { OpenBatch, type BatchLimits } from './open-batch.ts';
import { identifySealed } from './reformed-range.ts';
import { staggeredAgeMs } from './flush-age.ts';
import type { SealedBatch } from './sealed-batch.ts';
import { detachedMessage, heldBytes, messageBytes, type SourceMessage } from './source-message.ts';

export type { Admission, BatcherDependencies, BatcherStart } from './batcher-contract.ts';

/**
 * Step 4: one partition's batches. Rows and dead letters go into the open batch, in offset
 * order; a batch is sealed when full (rows, bytes), when due (age), when the memory budget is
 * short, or — while re-forming the range an earlier owner recorded as pending — exactly at the
 * recorded end, never elsewhere (the range's token must come out the same). At most one
 * sealed batch waits for delivery; while it waits, nothing more is taken (the caller pauses
 * the partition and kafkajs fetches the message again later).
 *
 * Each sealed batch carries its offsets to commit: `commitFrom` (everything below it landed:
 * the position committed with the pending mark while it is delivered) and, once it lands,
 * `lastOffset + 1`. Offsets Kafka never delivered between two batches (compaction,
 * transaction markers) are bridged: nothing can be read there.
 */
export class PartitionBatcher {
  readonly topic: string;
  readonly partition: number;
  /** The token namespace of the ranges formed here (undefined: v1 tokens). */
  readonly namespace: string | undefined;
  readonly #deps: BatcherDependencies;
  /** The batch limits with this partition's flush age (staggeredAgeMs). */
  readonly #ageLimits: BatchLimits;
  /** The pending range being re-formed, as recorded. */
  readonly #recorded: PendingRange | undefined;
  /** While re-forming a recorded range: the offset the next batch must end at. */
  #recordedEnd: bigint | undefined;
  #open: OpenBatch | undefined;
  #sealed: SealedBatch | undefined;
  #lastTaken: bigint;
  /** The last offset read past (readThrough): taken, or no message at all. */
  #readUpTo: bigint;
  #commitFrom: bigint;
  /** The log end last seen (a fetch's high watermark, or the log's at join). */
  #logEnd: bigint | undefined;

  constructor(start: BatcherStart, deps: BatcherDependencies) {
    this.topic = start.topic;
    this.partition = start.partition;
    this.namespace = start.namespace;
    this.#deps = deps;
    this.#ageLimits = {
      ...deps.limits,
      maxAgeMs: staggeredAgeMs(deps.limits.maxAgeMs, start.partition),
    };
    this.#recorded = start.recorded;
    this.#recordedEnd = start.recorded?.last;
    // Below the start is committed: a message there (kafkajs resetting on its own) is
    // skipped, never batched again.
    this.#lastTaken = start.offset - 1n;
    this.#readUpTo = this.#lastTaken;
    this.#commitFrom = start.offset;
    this.#logEnd = start.logEnd;
  }

  /** The last offset taken (or skipped as committed already). */
  get takenUpTo(): bigint {
    return this.#lastTaken;
  }

  /** Re-forming a recorded range: no limit applies, the range is fixed. */
  get reforming(): boolean {
    return this.#recordedEnd !== undefined;
  }

  /** The sealed batch waiting for delivery, if any. */
  get sealed(): SealedBatch | undefined {
    return this.#sealed;
  }

  get idle(): boolean {
    return (this.#open?.isEmpty ?? true) && this.#sealed === undefined;
  }

  /** Bytes held here: the open batch and the sealed one waiting. */
  get memoryBytes(): number {
    return (this.#open?.memoryBytes ?? 0) + (this.#sealed?.memoryBytes ?? 0);
  }

  /** When the oldest message held here entered the worker (ms). */
  get oldestHeldAt(): number | undefined {
    if (this.#sealed !== undefined) return this.#sealed.startedAt;
    return this.#open === undefined || this.#open.isEmpty ? undefined : this.#open.startedAt;
  }

  /** May the message at `offset` be decoded and added now? */
  admit(offset: bigint): Admission {
    if (offset <= this.#lastTaken) return 'skip';
    if (!this.#sealAtRecordedEnd()) return 'refuse';
    // Past the recorded end while re-forming: that end was compacted away. The re-formed
    // range ends before this message, which is never part of it.
    const end = this.#recordedEnd;
    if (end !== undefined && offset > end && !this.#endReformed()) return 'refuse';
    return 'take';
  }

  /** Adds an admitted message as its row or its dead letter; `refused` when short of room. */
  add(source: SourceMessage, outcome: Outcome<SerialisedRow>): 'accepted' | 'refused' {
    const reforming = this.reforming;
    // The row's exact size in the insert is what the caps and the budget count.
    const line = outcome.ok ? outcome.value.bytes : undefined;
    const cost = heldBytes(source, line?.length);
    if (!reforming && !this.#deps.budget.admits(cost)) {
      // Over budget: ship what this partition holds so memory frees up; take it later.
      this.#sealOpen();
      return 'refused';
    }
    // Dead letters count toward the caps like rows: a run of bad messages must not build
    // one DLQ write larger than the topic takes.
    const cappedBytes = line?.length ?? messageBytes(source);
    if (!reforming && this.#open?.wouldOverflow(cappedBytes, this.#deps.limits)) {
      if (!this.#sealOpen()) return 'refused';
    }
    this.#open ??= new OpenBatch(this.topic, this.partition, this.#deps.now());
    if (!outcome.ok) this.#open.addDeadLetter(detachedMessage(source), outcome.deadLetter);
    else if (line !== undefined) this.#open.addRow(line, source, outcome.value.partitionKey);
    this.#deps.budget.hold(cost);
    this.#lastTaken = BigInt(source.offset);
    if (!this.reforming && this.#open.isFull(this.#deps.limits)) this.#sealOpen();
    else this.#sealAtRecordedEnd();
    return 'accepted';
  }

  /**
   * A fetch ended with everything up to the log end (`highWatermark`) taken. A re-formed
   * range whose recorded end lies at or past the log end can never complete: the tail
   * vanished (log truncated); it ends here rather than waiting forever. False while it
   * cannot be sealed yet.
   */
  logEndsAt(highWatermark: bigint): boolean {
    this.#logEnd = highWatermark;
    return this.#sealAtRecordedEnd();
  }

  /**
   * kafkajs read the offsets `first` to `last`, and every message among them was taken: the
   * rest are records no consumer is handed (a transaction's commit or abort marker, the
   * records of an aborted transaction). Counted only when contiguous with what was read.
   */
  readThrough(first: bigint, last: bigint): void {
    const read = this.#readThrough;
    if (first <= read + 1n && last > read) this.#readUpTo = last;
  }

  /** The last offset taken or read past, whichever is further. */
  get #readThrough(): bigint {
    return this.#readUpTo > this.#lastTaken ? this.#readUpTo : this.#lastTaken;
  }

  /**
   * With nothing held, offsets read past the last one taken hold no message: they count as
   * taken, and the position after them is returned, to be committed (nothing of them is
   * re-read, and the log's end is reached: no lag of a trailing transaction marker, no stuck
   * position after an aborted transaction). Undefined when there is nothing to move past.
   */
  bridgeUnread(): bigint | undefined {
    if (!this.idle || this.reforming || this.#readUpTo <= this.#lastTaken) return undefined;
    this.#lastTaken = this.#readUpTo;
    this.#commitFrom = this.#readUpTo + 1n;
    return this.#commitFrom;
  }

  /** Seals the open batch when its age is due (or `force`, at shutdown). */
  sealIfDue(force = false): void {
    // A re-formed range is only sealed at its recorded end, never early (not at shutdown).
    if (this.reforming) return;
    const open = this.#open;
    if (open === undefined || open.isEmpty) return;
    if (force || open.isDue(this.#deps.now(), this.#ageLimits)) this.#sealOpen();
  }

  /** Hands the sealed batch on (to delivery); its memory stays held until it lands. */
  takeSealed(): SealedBatch | undefined {
    const sealed = this.#sealed;
    this.#sealed = undefined;
    if (sealed === undefined) return undefined;
    // A batch that filled up while the slot was taken is sealed now, not at the next message.
    if (!this.reforming && this.#open?.isFull(this.#deps.limits)) this.#sealOpen();
    else this.#sealAtRecordedEnd();
    return sealed;
  }

  /** The generation ended: what is held here is given back. */
  release(): void {
    this.#deps.budget.release(this.memoryBytes);
    this.#open = undefined;
    this.#sealed = undefined;
  }

  /**
   * Once the re-formed range is complete, seal it exactly there. False while it is complete
   * but cannot be sealed yet (a sealed batch waits): nothing more is taken until then.
   */
  #sealAtRecordedEnd(): boolean {
    const end = this.#recordedEnd;
    if (end === undefined) return true;
    const logEnd = this.#logEnd;
    // Read through (readThrough) counts: the range's tail may hold no message any more.
    const read = this.#readThrough;
    const complete = read >= end || (logEnd !== undefined && logEnd <= end && read >= logEnd - 1n);
    return complete ? this.#endReformed() : true;
  }

  /** Ends the re-formed range with what was taken of it; false while a sealed batch waits. */
  #endReformed(): boolean {
    if (this.#open === undefined || this.#open.isEmpty) {
      if (this.#recorded !== undefined) this.#deps.reportReformed?.('range_vanished');
    } else if (!this.#sealOpen()) return false;
    this.#recordedEnd = undefined;
    return true;
  }

  /** Seals the open batch into the waiting slot; false when a sealed batch waits already. */
  #sealOpen(): boolean {
    const open = this.#open;
    if (open === undefined || open.isEmpty) return true;
    if (this.#sealed !== undefined) return false;
    const sealed = identifySealed(open.seal(this.#commitFrom), this.#recorded, this.namespace);
    if (sealed.reformed !== undefined && this.reforming)
      this.#deps.reportReformed?.(sealed.reformed.case);
    this.#commitFrom = sealed.lastOffset + 1n;
    this.#sealed = sealed;
    this.#open = undefined;
    return true;
  }
}
