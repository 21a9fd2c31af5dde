import type { Consumer } from 'kafkajs';

export interface MembershipLeaseOptions {
  /** How long a proof of membership is trusted (well below the session timeout). */
  readonly leaseMs: number;
  /** An event-loop gap this long means the process was frozen: earlier proofs are void. */
  readonly stallMs: number;
  readonly now?: () => number;
}

/**
 * When the group last confirmed that this member is alive: the coordinator accepted a
 * heartbeat or a commit, or the member (re)joined. A process frozen longer than the
 * session timeout (SIGSTOP, a paused VM, a long GC) is evicted without knowing it, and its
 * partitions move on; when it resumes, its in-flight work must not write. Before writing,
 * the worker waits until the lease is fresh: the next heartbeat either renews it or fails
 * and ends the generation (the lanes are dropped on rejoin).
 *
 * The clock is monotonic and runs while the process is frozen. A proof seen right after a
 * freeze (an answer that sat in a socket meanwhile) is not trusted: the freeze is detected
 * from the gap between two ticks of the event loop.
 */
export class MembershipLease {
  readonly #options: MembershipLeaseOptions;
  readonly #now: () => number;
  readonly #waiters = new Set<() => void>();
  #provenAt: number | undefined;
  #lastTickAt: number;
  #ticker: NodeJS.Timeout | undefined;

  constructor(consumer: Pick<Consumer, 'on' | 'events'>, options: MembershipLeaseOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
    this.#lastTickAt = this.#now();
    const { HEARTBEAT, COMMIT_OFFSETS, GROUP_JOIN } = consumer.events;
    for (const event of [HEARTBEAT, COMMIT_OFFSETS, GROUP_JOIN] as const) {
      consumer.on(event, () => this.renew());
    }
  }

  /** Ticks the event-loop watch every `everyMs` (until stop()). */
  start(everyMs = 100): void {
    this.#ticker ??= setInterval(() => this.tick(), everyMs);
    this.#ticker.unref();
  }

  stop(): void {
    clearInterval(this.#ticker);
    this.#ticker = undefined;
  }

  /** The group just confirmed this member. */
  renew(): void {
    const now = this.#now();
    if (now - this.#lastTickAt >= this.#options.stallMs) return; // maybe stale: frozen since
    this.#provenAt = now;
    for (const wake of this.#waiters) wake();
  }

  /** One turn of the event loop; a long gap since the last one voids the lease. */
  tick(): void {
    const now = this.#now();
    if (now - this.#lastTickAt >= this.#options.stallMs) this.#provenAt = undefined;
    this.#lastTickAt = now;
  }

  get fresh(): boolean {
    const now = this.#now();
    return (
      this.#provenAt !== undefined &&
      now - this.#provenAt < this.#options.leaseMs &&
      now - this.#lastTickAt < this.#options.stallMs
    );
  }

  /**
   * Resolves once the lease is fresh; rejects with the signal's reason when aborted, also
   * when both happen at once (a rejoin renews the lease and drops the old lanes together).
   */
  async whenFresh(signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    while (!this.fresh) {
      signal.throwIfAborted();
      await new Promise<void>((resolve) => {
        // Also look again soon: the lease may be stale only until the loop ticks once more.
        const timer = setTimeout(() => done(), this.#options.stallMs / 4);
        const done = (): void => {
          clearTimeout(timer);
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
