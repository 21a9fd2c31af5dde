import { monitorEventLoopDelay, type ELDHistogram } from 'node:perf_hooks';

const TICK_MS = 250;
const WINDOW_MS = 10_000;

/**
 * Watches the event loop: a timer that records when it last ran (a blocked loop stops it)
 * and the loop delay percentiles of the last complete 10 s window.
 */
export class EventLoopWatch {
  #lastTickAt: number;
  #windowStart: number;
  #last = { p99: 0, max: 0 };
  readonly #histogram: ELDHistogram;
  readonly #timer: NodeJS.Timeout;
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
    this.#lastTickAt = now();
    this.#windowStart = this.#lastTickAt;
    this.#histogram = monitorEventLoopDelay({ resolution: 20 });
    this.#histogram.enable();
    this.#timer = setInterval(() => this.#tick(), TICK_MS);
    this.#timer.unref();
  }

  get lastTickAt(): number {
    return this.#lastTickAt;
  }

  /** Delay percentiles (ms) of the last complete window, or of the current one at start. */
  get delayMs(): { p99: number; max: number } {
    return this.#last.max > 0 ? this.#last : this.#current();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#histogram.disable();
  }

  #tick(): void {
    const now = this.#now();
    this.#lastTickAt = now;
    if (now - this.#windowStart >= WINDOW_MS) {
      this.#last = this.#current();
      this.#histogram.reset();
      this.#windowStart = now;
    }
  }

  #current(): { p99: number; max: number } {
    const h = this.#histogram;
    if (h.count === 0) return { p99: 0, max: 0 };
    return { p99: h.percentile(99) / 1e6, max: h.max / 1e6 };
  }
}
