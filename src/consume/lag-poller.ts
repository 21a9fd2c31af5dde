import type { Admin } from 'kafkajs';
import { errorMessage } from '../errors.ts';
import { readGroupLag, type GroupLag } from './lag-reader.ts';

export interface LagPollerOptions {
  /** A dedicated admin client: it must not share fate with the group's consumer. */
  readonly admin: Pick<
    Admin,
    'connect' | 'disconnect' | 'fetchTopicOffsets' | 'fetchOffsets' | 'describeGroups'
  >;
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly fromBeginning: boolean;
  readonly intervalMs: number;
  readonly onLag: (lag: GroupLag) => void;
  readonly onError: (err: unknown) => void;
  readonly now?: () => number;
}

/**
 * Reads the group's broker-side lag every `intervalMs` (one read at a time, never
 * overlapping) and remembers when the brokers last answered, which /readyz uses as the
 * worker's view of Kafka.
 */
export class LagPoller {
  readonly #options: LagPollerOptions;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #connected = false;
  #stopped = false;
  #running: Promise<void> | undefined;
  #lastOkAt: number | undefined;
  #lastError: string | undefined;
  #latest: GroupLag | undefined;

  constructor(options: LagPollerOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** Starts polling; the first read begins at once. */
  start(): void {
    this.#schedule(0);
  }

  get lastOkAt(): number | undefined {
    return this.#lastOkAt;
  }

  get lastError(): string | undefined {
    return this.#lastError;
  }

  get latest(): GroupLag | undefined {
    return this.#latest;
  }

  /** One read now (also what the timer runs). */
  async refresh(): Promise<void> {
    const o = this.#options;
    try {
      if (!this.#connected) {
        await o.admin.connect();
        this.#connected = true;
      }
      const lag = await readGroupLag(o.admin, o, this.#now);
      this.#latest = lag;
      this.#lastOkAt = this.#now();
      this.#lastError = undefined;
      o.onLag(lag);
    } catch (err) {
      this.#lastError = errorMessage(err);
      // kafkajs admin clients reconnect on demand, but a failed connect must be retried.
      if (isDisconnected(err)) this.#connected = false;
      o.onError(err);
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
    if (this.#connected) await this.#options.admin.disconnect().catch(() => undefined);
    this.#connected = false;
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#running = this.refresh().finally(() => {
        this.#running = undefined;
        this.#schedule(this.#options.intervalMs);
      });
    }, delayMs);
    this.#timer.unref();
  }
}

function isDisconnected(err: unknown): boolean {
  const name = (err as { name?: unknown } | null)?.name;
  return (
    !(err instanceof Error) ||
    name === 'KafkaJSConnectionError' ||
    name === 'KafkaJSNonRetriableError' ||
    name === 'KafkaJSNumberOfRetriesExceeded' ||
    /disconnected|connect/i.test(err.message)
  );
}
