import type { KafkaMessage } from 'kafkajs';
import { OpenBatch, type BatchLimits } from '../batch/open-batch.ts';
import { asRecorded, type ReformedCase } from '../batch/reformed-range.ts';
import { deduplicationToken, withIdentity, type SealedBatch } from '../batch/sealed-batch.ts';
import {
  detachedBytes,
  detachedHeaders,
  heldBytes,
  messageBytes,
  type SourceMessage,
} from '../batch/source-message.ts';
import { OffsetWatermark } from '../commit/offset-watermark.ts';
import type { PendingRange } from '../commit/pending-range.ts';
import type { MessageDecoder } from '../decode/decode-message.ts';
import { toClickHouseDateTime64 } from '../decode/event-row.ts';
import type { EnrichStage } from '../enrich/enrich-stage.ts';
import { rowLine } from '../sink/row-line.ts';
import { partitionKeyOf } from '../sink/split-by-partition.ts';
import type { BufferBudget } from './buffer-budget.ts';

export type OfferResult = 'accepted' | 'skipped' | 'full';

/** How a lane names its ranges, and what it knew of the log when it started. */
export interface LaneIdentity {
  /** The token namespace of the ranges this lane forms (undefined: v1 tokens). */
  readonly namespace?: string | undefined;
  /** The log end at join: a recorded range reaching it can no longer complete. */
  readonly logEnd?: bigint | undefined;
}

export interface LaneDependencies {
  readonly decoder: MessageDecoder;
  readonly enrich: EnrichStage;
  readonly limits: BatchLimits;
  /** The worker's memory budget, shared by its lanes (INGEST_MAX_BUFFERED_BYTES). */
  readonly budget: BufferBudget;
  readonly now: () => number;
  /** A re-formed pending range came out different from the one recorded (reformed-range.ts). */
  readonly onReformed?: (lane: PartitionLane, reformedCase: ReformedCase) => void;
}

/**
 * One assigned partition's in-memory state for one group generation (`epoch`):
 * the batch being filled, at most one sealed batch waiting, the one in flight, and the
 * commit watermark. A lane never outlives its epoch: on rebalance it is dropped and a
 * new one re-forms whatever range was pending.
 */
export class PartitionLane {
  readonly topic: string;
  readonly partition: number;
  readonly epoch: number;
  readonly watermark: OffsetWatermark;
  /** Aborted when the lane is dropped: in-flight work stops retrying. */
  readonly abort = new AbortController();
  readonly #deps: LaneDependencies;
  #open: OpenBatch | undefined;
  #ready: SealedBatch | undefined;
  #inFlight: SealedBatch | undefined;
  /** While re-forming a pending range, the offset the next batch must end at. */
  #boundary: bigint | undefined;
  /** The pending range being re-formed, as recorded. */
  readonly #recorded: PendingRange | undefined;
  /** The token namespace of the ranges this lane forms (undefined: v1 tokens). */
  readonly namespace: string | undefined;
  #lastOffered: bigint;
  /** The log end last seen (a fetch's high watermark, or the log's at join). */
  #logEnd: bigint | undefined;
  /** The batch limits with this partition's flush age (staggeredAgeMs). */
  readonly #ageLimits: BatchLimits;
  /** Set while ClickHouse is failing for this lane: stop taking messages. */
  blocked = false;
  paused = false;

  constructor(
    topic: string,
    partition: number,
    epoch: number,
    startOffset: bigint,
    pending: PendingRange | undefined,
    deps: LaneDependencies,
    identity: LaneIdentity = {},
  ) {
    this.topic = topic;
    this.partition = partition;
    this.epoch = epoch;
    this.watermark = new OffsetWatermark(startOffset);
    // Below the start is committed: a message there (kafkajs resetting on its own) is skipped,
    // never tracked below the watermark.
    this.#lastOffered = startOffset - 1n;
    this.#boundary = pending?.last;
    this.#recorded = pending;
    this.namespace = identity.namespace;
    this.#logEnd = identity.logEnd;
    this.#deps = deps;
    this.#ageLimits = {
      ...deps.limits,
      maxAgeMs: staggeredAgeMs(deps.limits.maxAgeMs, partition),
    };
  }

  /** The last offset offered (taken or skipped as already committed). */
  get offeredUpTo(): bigint {
    return this.#lastOffered;
  }

  get alive(): boolean {
    return !this.abort.signal.aborted;
  }

  get inFlight(): SealedBatch | undefined {
    return this.#inFlight;
  }

  get ready(): SealedBatch | undefined {
    return this.#ready;
  }

  /** Bytes this lane holds: open + waiting + in-flight batches. */
  get memoryBytes(): number {
    return (
      (this.#open?.memoryBytes ?? 0) +
      (this.#ready?.memoryBytes ?? 0) +
      (this.#inFlight?.memoryBytes ?? 0)
    );
  }

  /** When the oldest message this lane holds, not landed yet, entered the worker (ms). */
  get oldestHeldAt(): number | undefined {
    if (this.#inFlight !== undefined) return this.#inFlight.startedAt;
    if (this.#ready !== undefined) return this.#ready.startedAt;
    return this.#open === undefined || this.#open.isEmpty ? undefined : this.#open.startedAt;
  }

  get idle(): boolean {
    return (
      (this.#open?.isEmpty ?? true) && this.#ready === undefined && this.#inFlight === undefined
    );
  }

  /**
   * Takes one message into the open batch, sealing as limits require. 'full' means the
   * lane cannot take it now (the caller pauses the partition and it is fetched again).
   */
  offer(message: KafkaMessage, topic: string, partition: number, ingestedAt: string): OfferResult {
    const offset = BigInt(message.offset);
    if (offset <= this.#lastOffered) return 'skipped';
    if (!this.#sealAtBoundary()) return 'full';
    // Past the recorded end while re-forming: that end was compacted away. The re-formed
    // range ends before this message, which is never part of it.
    if (this.#boundary !== undefined && offset > this.#boundary && !this.#endReformed())
      return 'full';
    // While re-forming a pending range, no limit applies: the range is fixed.
    const reforming = this.#boundary !== undefined;
    if (!reforming && this.blocked) return 'full';
    const source: SourceMessage = {
      topic,
      partition,
      offset: message.offset,
      key: message.key ?? null,
      value: message.value,
      headers: message.headers,
      timestampMs: Number(message.timestamp),
    };
    const outcome = this.#deps.decoder.decode(
      source,
      { nowMs: this.#deps.now(), ingestedAt },
      this.#deps.enrich,
    );
    const line = outcome.ok ? rowLine(outcome.value) : undefined;
    const rowBytes = line === undefined ? 0 : Buffer.byteLength(line);
    const cost = heldBytes(source, rowBytes);
    if (!reforming && !this.#deps.budget.admits(cost)) {
      // Over budget: ship what this lane holds so memory frees up; take the message later.
      this.#sealOpen();
      return 'full';
    }
    // Dead letters count toward the caps like rows: a run of bad messages must not build
    // one DLQ write larger than the topic takes.
    const cappedBytes = line === undefined ? messageBytes(source) : rowBytes;
    if (!reforming && this.#open?.wouldOverflow(cappedBytes, this.#deps.limits)) {
      if (!this.#sealOpen()) return 'full';
    }
    const held: SourceMessage = {
      ...source,
      key: detachedBytes(source.key),
      value: detachedBytes(source.value),
      headers: detachedHeaders(source.headers),
    };
    const target = this.#openBatch();
    if (outcome.ok && line !== undefined)
      target.addRow(line, held, partitionKeyOf(outcome.value), rowBytes);
    else if (!outcome.ok) target.addDeadLetter(held, outcome.deadLetter);
    this.#deps.budget.hold(cost);
    this.#lastOffered = offset;

    if (this.#boundary === undefined && target.isFull(this.#deps.limits)) this.#sealOpen();
    else this.#sealAtBoundary();
    return 'accepted';
  }

  /**
   * The fetched batch ended and the log ends at `highWatermark` (kafkajs's
   * `batch.highWatermark`). A re-formed range whose recorded end lies at or past the log end,
   * with everything up to the log end offered, can never complete: the tail vanished (log
   * truncated). It ends here rather than waiting forever. False when it cannot seal yet.
   */
  logEndsAt(highWatermark: bigint): boolean {
    this.#logEnd = highWatermark;
    return this.#sealAtBoundary();
  }

  /** Seals the open batch when its age is due (or `force`, at shutdown). */
  sealIfDue(force = false): void {
    // A re-formed range is only sealed at its recorded end, never early (not even at shutdown).
    if (this.#boundary !== undefined) return;
    const open = this.#open;
    if (open === undefined || open.isEmpty) return;
    if (force || open.isDue(this.#deps.now(), this.#ageLimits)) this.#sealOpen();
  }

  /** Moves the waiting batch in flight; the caller delivers it. */
  takeNext(): SealedBatch | undefined {
    if (this.#inFlight !== undefined || this.#ready === undefined) return undefined;
    this.#inFlight = this.#ready;
    this.#ready = undefined;
    this.#sealAtBoundary();
    return this.#inFlight;
  }

  /** The in-flight batch landed and was committed (or its lane was dropped meanwhile). */
  finishInFlight(batch: SealedBatch): void {
    if (this.#inFlight !== batch) return;
    this.#inFlight = undefined;
    if (this.alive) this.#deps.budget.release(batch.memoryBytes);
  }

  /** True when the lane can accept messages again (used to resume a paused partition). */
  get canAccept(): boolean {
    return !this.blocked && this.#ready === undefined;
  }

  /** The lane's generation ended: stop its work and give back what it held. */
  drop(): void {
    if (!this.alive) return;
    this.#deps.budget.release(this.memoryBytes);
    this.abort.abort();
  }

  #openBatch(): OpenBatch {
    this.#open ??= new OpenBatch(this.topic, this.partition, this.#deps.now());
    return this.#open;
  }

  /**
   * Once the re-formed range is complete, seal it exactly there. False while it is complete
   * but cannot be sealed yet (waiting slot taken): the lane takes nothing more until then.
   */
  #sealAtBoundary(): boolean {
    const boundary = this.#boundary;
    if (boundary === undefined) return true;
    const logEnd = this.#logEnd;
    const complete =
      this.#lastOffered >= boundary ||
      (logEnd !== undefined && logEnd <= boundary && this.#lastOffered >= logEnd - 1n);
    return complete ? this.#endReformed() : true;
  }

  /** Ends the re-formed range with what was offered of it; false while the slot is taken. */
  #endReformed(): boolean {
    const recorded = this.#recorded;
    if (this.#open === undefined || this.#open.isEmpty) {
      if (recorded !== undefined) this.#deps.onReformed?.(this, 'range_vanished');
    } else if (!this.#sealOpen()) return false;
    this.#boundary = undefined;
    return true;
  }

  /** Seals the open batch into the waiting slot; false when the slot is taken. */
  #sealOpen(): boolean {
    const open = this.#open;
    if (open === undefined || open.isEmpty) return true;
    if (this.#ready !== undefined) return false;
    const sealed = this.#identify(open.seal());
    this.watermark.track(sealed.firstOffset, sealed.lastOffset);
    this.#ready = sealed;
    this.#open = undefined;
    return true;
  }

  /** The batch's token: the recorded range's while re-forming, else in this lane's namespace. */
  #identify(sealed: SealedBatch): SealedBatch {
    const recorded = this.#recorded;
    // After a re-formed range ended early, later batches still inside the recorded range may
    // hold rows its first insert landed: they are checked against ClickHouse too.
    if (recorded !== undefined && sealed.firstOffset <= recorded.last) {
      const batch = asRecorded(sealed, recorded);
      if (batch.reformed !== undefined && this.#boundary !== undefined)
        this.#deps.onReformed?.(this, batch.reformed.case);
      return batch;
    }
    if (this.namespace === undefined) return sealed;
    const { topic, partition, firstOffset, lastOffset } = sealed;
    return withIdentity(
      sealed,
      deduplicationToken(topic, partition, firstOffset, lastOffset, this.namespace),
    );
  }
}

/** The share of BATCH_MAX_AGE_MS by which partitions' flush ages spread out. */
const AGE_SPREAD = 0.2;

/**
 * A partition's flush age: between 80 % and 100 % of `maxAgeMs`, spread evenly over
 * partitions (golden-ratio steps, deterministic). Partitions fed at a steady rate would
 * otherwise seal by age in lockstep and queue their inserts behind each other at ClickHouse,
 * adding the whole queue to the latency of every batch's first event.
 */
export function staggeredAgeMs(maxAgeMs: number, partition: number): number {
  const phase = (partition * 0.618_033_988_749_895) % 1;
  return Math.round(maxAgeMs * (1 - AGE_SPREAD * phase));
}

export function ingestedAtNow(nowMs: number): string {
  return toClickHouseDateTime64(nowMs);
}
