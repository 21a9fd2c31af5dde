import type { KafkaMessage } from 'kafkajs';
import type { BufferBudget } from '../batch/buffer-budget.ts';
import {
  PartitionBatcher,
  type BatcherDependencies,
  type BatcherStart,
} from '../batch/partition-batcher.ts';
import type { SealedBatch } from '../batch/sealed-batch.ts';
import { sourceMessage } from '../batch/source-message.ts';
import type { NormalizeContext } from '../decode/normalize-event.ts';
import { commitPosition } from '../commit/commit-landed.ts';
import { deliverBatch, type DeliveryDependencies } from '../deliver/deliver-batch.ts';
import { OwnershipLostError } from '../errors.ts';
import type { PartitionOwner } from '../deliver/partition-owner.ts';
import { runMessageSteps, type MessageSteps } from './message-steps.ts';

/** `refused`: not now (the caller pauses the partition; kafkajs fetches the message again). */
export type SubmitResult = 'accepted' | 'skipped' | 'refused';

export interface PipelineParts {
  /** decode → enrich → serialise (message-steps.ts). */
  readonly steps: MessageSteps;
  readonly batcher: BatcherDependencies;
  readonly delivery: DeliveryDependencies;
}

/**
 * One assigned partition, for one group generation: every message of it goes
 *   submit → decode → enrich → serialise   (message-steps.ts: a row or a dead letter)
 *          → batch                         (batch/partition-batcher.ts: seal by size, age, budget)
 *          → deliver                       (deliver/deliver-batch.ts: pending mark → insert →
 *                                           dead letters → commit)
 * One batch is delivered at a time, in offset order, so the committed position only ever
 * moves over landed batches (and, once nothing is held, over records that are no messages:
 * #moveOn). Backpressure is a refusal: while a sealed batch waits, the
 * memory budget is short or ClickHouse is refusing this partition's batch, `submit` returns
 * `refused`. A pipeline never outlives its generation: `terminate` stops its work, and the
 * next owner (this member, or another) re-forms whatever range it left pending.
 */
export class PartitionPipeline implements PartitionOwner {
  readonly topic: string;
  readonly partition: number;
  readonly generation: number;
  readonly namespace: string | undefined;
  /** kafkajs is not fetching this partition (consume/partition-pauser.ts keeps it). */
  paused = false;
  readonly #abort = new AbortController();
  readonly #steps: MessageSteps;
  readonly #batcher: PartitionBatcher;
  readonly #delivery: DeliveryDependencies;
  readonly #budget: BufferBudget;
  readonly #isCurrent: (pipeline: PartitionPipeline) => boolean;
  #inFlight: SealedBatch | undefined;
  /** The position after records no consumer is handed is being committed (#moveOn). */
  #movingOn = false;
  #delivering: Promise<void> | undefined;
  /** ClickHouse refuses this partition's batch for now: take nothing new meanwhile. */
  #insertFailing = false;
  #failure: { readonly error: unknown } | undefined;

  constructor(
    start: BatcherStart,
    generation: number,
    parts: PipelineParts,
    isCurrent: (pipeline: PartitionPipeline) => boolean,
  ) {
    this.topic = start.topic;
    this.partition = start.partition;
    this.generation = generation;
    this.namespace = start.namespace;
    this.#steps = parts.steps;
    this.#batcher = new PartitionBatcher(start, parts.batcher);
    this.#budget = parts.batcher.budget;
    this.#isCurrent = isCurrent;
    const events = parts.delivery.events;
    this.#delivery = {
      ...parts.delivery,
      events: {
        ...events,
        insertRetried: (batch, err, attempt, delayMs) => {
          this.#insertFailing = true;
          events.insertRetried(batch, err, attempt, delayMs);
        },
        landed: (batch, rejected, insertMs) => {
          this.#insertFailing = false;
          events.landed(batch, rejected, insertMs);
        },
      },
    };
  }

  /** Takes one fetched message (in offset order) through the steps into the batch. */
  submit(message: KafkaMessage, context: NormalizeContext): SubmitResult {
    const admission = this.#batcher.admit(BigInt(message.offset));
    if (admission === 'skip') return 'skipped';
    // A re-formed range is fixed by the crash that left it: it is taken whole, whatever fails.
    if (admission === 'refuse' || (this.#insertFailing && !this.#batcher.reforming))
      return this.#refuse();
    const source = sourceMessage(message, this.topic, this.partition);
    const row = runMessageSteps(this.#steps, source, context);
    if (this.#batcher.add(source, row) === 'refused') return this.#refuse();
    this.#deliverNext();
    return 'accepted';
  }

  /**
   * A fetch ended with everything up to `highWatermark` (the log end) taken. False when a
   * re-formed range that the log ends inside cannot be sealed yet (refusal: pause).
   */
  fetchEnded(highWatermark: bigint): boolean {
    const sealed = this.#batcher.logEndsAt(highWatermark);
    this.#deliverNext();
    return sealed;
  }

  /**
   * kafkajs read offsets `first` to `last` of this partition and every message among them
   * was taken (the others are transaction markers or aborted records): once nothing is held,
   * the committed position moves past them (#moveOn).
   */
  readThrough(first: bigint, last: bigint): void {
    this.#batcher.readThrough(first, last);
  }

  /** Housekeeping (every tick): seal by age (`force`: all, at shutdown), deliver what is sealed. */
  poll(force = false): void {
    if (this.#failure !== undefined) throw this.#failure.error;
    this.#batcher.sealIfDue(force);
    this.#deliverNext();
    this.#moveOn();
  }

  /** Settles when the batch in flight (or a move-on's commit), if any, finished. */
  join(): Promise<void> {
    return this.#delivering ?? Promise.resolve();
  }

  /** The generation ended: in-flight work stops retrying, held memory is given back. */
  terminate(): void {
    if (!this.alive) return;
    this.#batcher.release();
    if (this.#inFlight !== undefined) this.#budget.release(this.#inFlight.memoryBytes);
    this.#abort.abort();
  }

  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  stillOwned(): boolean {
    return this.alive && this.#isCurrent(this);
  }

  get alive(): boolean {
    return !this.#abort.signal.aborted;
  }

  /** May a paused partition resume? (No sealed batch waits, ClickHouse takes its batches.) */
  get accepting(): boolean {
    return !this.#insertFailing && this.#batcher.sealed === undefined;
  }

  /** A batch is being delivered (join() settles when it is done). */
  get delivering(): boolean {
    return this.#inFlight !== undefined;
  }

  get idle(): boolean {
    return this.#batcher.idle && this.#inFlight === undefined && !this.#movingOn;
  }

  /** The last offset taken (or skipped as committed already). */
  get takenUpTo(): bigint {
    return this.#batcher.takenUpTo;
  }

  /** When the oldest message held, not landed yet, entered the worker (ms). */
  get oldestHeldAt(): number | undefined {
    return this.#inFlight?.startedAt ?? this.#batcher.oldestHeldAt;
  }

  #refuse(): 'refused' {
    this.#deliverNext();
    return 'refused';
  }

  #deliverNext(): void {
    // After a move-on's commit: a batch's pending mark must never be overwritten by it.
    if (this.#inFlight !== undefined || this.#movingOn) return;
    if (!this.alive || this.#failure !== undefined) return;
    const batch = this.#batcher.takeSealed();
    if (batch === undefined) return;
    this.#inFlight = batch;
    this.#delivering = deliverBatch(this, batch, this.#delivery).then(
      () => this.#finish(batch),
      (error: unknown) => {
        this.#failure ??= { error };
        this.#finish(batch);
      },
    );
  }

  #finish(batch: SealedBatch): void {
    this.#inFlight = undefined;
    this.#delivering = undefined;
    if (!this.alive) return;
    this.#budget.release(batch.memoryBytes);
    this.#deliverNext();
    this.#moveOn();
  }

  /**
   * Nothing held, nothing delivering, and offsets read past the last message hold none: the
   * position after them is committed like a landed batch's (commit-landed.ts), one delivery
   * at a time. A lost generation ends it quietly; the next owner reads those records again.
   */
  #moveOn(): void {
    if (this.#inFlight !== undefined || this.#movingOn) return;
    if (!this.alive || this.#failure !== undefined) return;
    const position = this.#batcher.bridgeUnread();
    if (position === undefined) return;
    this.#movingOn = true;
    this.#delivering = commitPosition(this.#delivery.committer, this, position)
      .catch((error: unknown) => {
        if (!(error instanceof OwnershipLostError) && this.alive) this.#failure ??= { error };
      })
      .finally(() => {
        this.#movingOn = false;
        this.#delivering = undefined;
        this.#deliverNext();
      });
  }
}
