import { toSeries, type Outcome, type Series } from './report/series.ts';

/**
 * Gathers the repetitions of one measurement. A measurement that is not possible here
 * (an `unavailableWhen` error) is recorded once and not retried; any other failure is
 * recorded as `failed: …`, makes the bench exit non-zero, and later repetitions still run.
 */
export class PhaseCollector<T extends object> {
  readonly name: string;
  readonly #runs: T[] = [];
  readonly #unavailableWhen: (err: unknown) => boolean;
  readonly #log: (text: string) => void;
  #unavailable: string | undefined;
  #failure: string | undefined;

  constructor(
    name: string,
    log: (text: string) => void,
    unavailableWhen: (err: unknown) => boolean = () => false,
  ) {
    this.name = name;
    this.#log = log;
    this.#unavailableWhen = unavailableWhen;
  }

  get failed(): boolean {
    return this.#failure !== undefined;
  }

  async run(repetition: number, measure: () => Promise<T>): Promise<T | undefined> {
    if (this.#unavailable !== undefined) return undefined;
    const started = performance.now();
    try {
      const result = await measure();
      this.#runs.push(result);
      const rate = (result as { eventsPerSecond?: number }).eventsPerSecond;
      this.#log(
        `${this.name} #${repetition}: ${rate === undefined ? 'done' : `${Math.round(rate).toLocaleString('en-US')} events/s`} (${((performance.now() - started) / 1000).toFixed(1)} s)`,
      );
      return result;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (this.#unavailableWhen(err)) {
        this.#unavailable = `not available: ${message}`;
        this.#log(`${this.name}: ${this.#unavailable}`);
      } else {
        this.#failure = `failed: ${message.split('\n')[0]}`;
        this.#log(`${this.name} #${repetition} FAILED: ${message}`);
      }
      return undefined;
    }
  }

  /** Undefined when the measurement never ran (skipped). */
  outcome(): Outcome<Series<T>> | undefined {
    if (this.#runs.length > 0) return toSeries(this.#runs);
    const reason = this.#unavailable ?? this.#failure;
    return reason === undefined ? undefined : { unavailable: reason };
  }
}
