import type { Consumer } from 'kafkajs';

/**
 * - `starting`: not connected yet;
 * - `joining`: connected, (re)joining the group: waiting for an assignment;
 * - `member`: in the current generation (possibly with no partitions, when there are more
 *   replicas than partitions);
 * - `crashed`: the consumer crashed (kafkajs may restart it: back to `joining`/`member`);
 * - `stopped`: disconnected.
 */
export type ConsumerPhase = 'starting' | 'joining' | 'member' | 'crashed' | 'stopped';

type WatchedConsumer = Pick<Consumer, 'on' | 'events'>;

/**
 * Follows a kafkajs consumer through its instrumentation events: the group phase, the
 * current assignment, and when the consume loop last did something. kafkajs emits
 * FETCH_START on every loop turn (every fetch wait when idle, paused or unassigned) and
 * HEARTBEAT while in a group, so a loop stuck inside a batch handler shows as silence.
 */
export class ConsumerActivity {
  #phase: ConsumerPhase = 'starting';
  #phaseSince: number;
  #lastActivityAt: number | undefined;
  #assignment: Readonly<Record<string, readonly number[]>> = {};
  #generations = 0;
  readonly #now: () => number;
  readonly #onJoin: (assignment: Readonly<Record<string, readonly number[]>>) => void;

  constructor(
    options: {
      now?: () => number;
      onJoin?: (assignment: Readonly<Record<string, readonly number[]>>) => void;
    } = {},
  ) {
    this.#now = options.now ?? Date.now;
    this.#onJoin = options.onJoin ?? (() => {});
    this.#phaseSince = this.#now();
  }

  watch(consumer: WatchedConsumer): void {
    const e = consumer.events;
    consumer.on(e.CONNECT, () => this.#enter('joining'));
    consumer.on(e.REBALANCING, () => this.#enter('joining'));
    consumer.on(e.GROUP_JOIN, (event) => this.joined(event.payload.memberAssignment));
    consumer.on(e.FETCH_START, () => this.#active());
    consumer.on(e.FETCH, () => this.#active());
    consumer.on(e.HEARTBEAT, () => this.#active());
    consumer.on(e.CRASH, () => this.#enter('crashed'));
    consumer.on(e.STOP, () => this.#enter('stopped'));
    consumer.on(e.DISCONNECT, () => this.#enter('stopped'));
  }

  /** A new generation began with this member's assignment (GROUP_JOIN). */
  joined(assignment: Readonly<Record<string, readonly number[]>>): void {
    this.#assignment = assignment;
    this.#generations++;
    this.#enter('member');
    this.#active();
    this.#onJoin(assignment);
  }

  get phase(): ConsumerPhase {
    return this.#phase;
  }

  /** When the current phase began (ms). */
  get phaseSince(): number {
    return this.#phaseSince;
  }

  get lastActivityAt(): number | undefined {
    return this.#lastActivityAt;
  }

  get generations(): number {
    return this.#generations;
  }

  /** Partitions per topic in the current generation (empty unless `member`). */
  get assignment(): Readonly<Record<string, readonly number[]>> {
    return this.#phase === 'member' ? this.#assignment : {};
  }

  get assignedPartitions(): number {
    let n = 0;
    for (const partitions of Object.values(this.assignment)) n += partitions.length;
    return n;
  }

  #enter(phase: ConsumerPhase): void {
    if (this.#phase === phase) return;
    this.#phase = phase;
    this.#phaseSince = this.#now();
  }

  #active(): void {
    this.#lastActivityAt = this.#now();
  }
}
