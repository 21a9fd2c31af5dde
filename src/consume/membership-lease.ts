import type { Consumer } from 'kafkajs';

export interface MembershipLeaseOptions {
  /** How long a proof of membership is trusted (well below the session timeout). */
  readonly leaseMs: number;
  /** Monotonic clock (ms); runs while the process is frozen. */
  readonly now?: () => number;
  /** The wall clock kafkajs stamps its requests with (ms since the epoch). */
  readonly wallNow?: () => number;
}

/**
 * The request whose acceptance each consumer event reports. An accepted offset commit is a
 * proof too (the coordinator counts it as a heartbeat), and the only one while every
 * partition is paused: kafkajs sends no heartbeat when it has nothing to fetch.
 */
const PROOF_REQUESTS = {
  HEARTBEAT: 'Heartbeat',
  COMMIT_OFFSETS: 'OffsetCommit',
  GROUP_JOIN: 'SyncGroup',
} as const;

type ProofEvent = keyof typeof PROOF_REQUESTS;

/**
 * When the group last confirmed that this member is alive: the coordinator accepted a
 * heartbeat, or the member (re)joined. A process frozen longer than the
 * session timeout (SIGSTOP, a paused VM, a long GC) is evicted without knowing it, and its
 * partitions move on; when it resumes, its in-flight work must not write. Before writing,
 * the worker waits until the lease is fresh: the next heartbeat either renews it or fails
 * and ends the generation (the pipelines are terminated on rejoin).
 *
 * A proof dates from when its request was **sent**, not from when its answer was read: an
 * answer that sat in a socket while the process was frozen proves only that the member was
 * alive before the freeze (the coordinator may have evicted it since). Send times come from
 * kafkajs's request instrumentation, emitted as each answer is read, before the event.
 * Commits run concurrently, so an event cannot be matched to its answer: an event counts
 * from the oldest answer of its kind read since the previous one (never younger than it is).
 */
export class MembershipLease {
  readonly #leaseMs: number;
  readonly #now: () => number;
  readonly #wallNow: () => number;
  readonly #waiters = new Set<() => void>();
  /** Per request kind, the oldest send time among answers not yet claimed by an event. */
  readonly #unclaimedSentAt = new Map<string, number>();
  #provenAt: number | undefined;

  constructor(consumer: Pick<Consumer, 'on' | 'events'>, options: MembershipLeaseOptions) {
    this.#leaseMs = options.leaseMs;
    this.#now = options.now ?? (() => performance.now());
    this.#wallNow = options.wallNow ?? Date.now;
    consumer.on(consumer.events.REQUEST, (event) => {
      const { apiName, sentAt } = event.payload;
      this.answered(apiName, sentAt);
    });
    for (const name of Object.keys(PROOF_REQUESTS) as ProofEvent[]) {
      consumer.on(consumer.events[name], () => this.confirmed(name));
    }
  }

  /** kafkajs read the answer to a request sent at `sentAt` (wall clock). */
  answered(apiName: string, sentAt: number): void {
    const earlier = this.#unclaimedSentAt.get(apiName);
    this.#unclaimedSentAt.set(apiName, earlier === undefined ? sentAt : Math.min(earlier, sentAt));
  }

  /** The group accepted what the matching request asked (kafkajs emits after `answered`). */
  confirmed(event: ProofEvent): void {
    const apiName = PROOF_REQUESTS[event];
    const sentAt = this.#unclaimedSentAt.get(apiName);
    if (sentAt === undefined) return; // no send time: not evidence
    this.#unclaimedSentAt.delete(apiName);
    // Age on the wall clock, placed on the monotonic one; a clock stepped backwards
    // must not make a proof younger than now.
    const age = Math.max(0, this.#wallNow() - sentAt);
    const provenAt = this.#now() - age;
    if (this.#provenAt !== undefined && provenAt <= this.#provenAt) return;
    this.#provenAt = provenAt;
    if (!this.fresh) return;
    for (const wake of this.#waiters) wake();
  }

  get fresh(): boolean {
    return this.#provenAt !== undefined && this.#now() - this.#provenAt < this.#leaseMs;
  }

  /**
   * Resolves once the lease is fresh; rejects with the signal's reason when aborted, also
   * when both happen at once (a rejoin renews the lease and terminates the old pipelines together).
   */
  async whenFresh(signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    while (!this.fresh) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.#waiters.delete(done);
          signal.removeEventListener('abort', done);
          resolve();
        };
        this.#waiters.add(done);
        signal.addEventListener('abort', done, { once: true });
      });
      signal.throwIfAborted();
    }
  }
}
