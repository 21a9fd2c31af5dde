import type { ClickHouseClient } from '@clickhouse/client';
import { errorMessage } from '../errors.ts';

export interface TableHealth {
  readonly activeParts: number;
  readonly maxPartsPerPartition: number;
  /** Largest absolute_delay among the database's replicated tables (0: none replicated). */
  readonly replicaDelaySeconds: number;
}

export interface ClickHouseProbeOptions {
  readonly client: Pick<ClickHouseClient, 'query' | 'close'>;
  readonly database: string;
  readonly table: string;
  readonly intervalMs: number;
  /** Table health (system.parts, system.replicas) is read every this many probes. */
  readonly tableHealthEvery?: number;
  readonly now?: () => number;
  readonly onSuccess?: () => void;
  readonly onFailure?: (err: unknown) => void;
  readonly onTableHealthFailure?: (err: unknown) => void;
}

/**
 * Probes ClickHouse on an interval with an authenticated `SELECT 1` (the /ping endpoint
 * checks no credentials), and now and then reads the events table's part counts and the
 * replication delay for the HIP-47 alerts. /readyz reads `lastOkAt`.
 */
export class ClickHouseProbe {
  readonly #o: ClickHouseProbeOptions;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;
  #probes = 0;
  #up = false;
  #lastOkAt: number | undefined;
  #lastError: string | undefined;
  #table: TableHealth | undefined;

  constructor(options: ClickHouseProbeOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  get up(): boolean {
    return this.#up;
  }

  get lastOkAt(): number | undefined {
    return this.#lastOkAt;
  }

  get lastError(): string | undefined {
    return this.#lastError;
  }

  get tableHealth(): TableHealth | undefined {
    return this.#table;
  }

  start(): void {
    this.#schedule(0);
  }

  async probe(): Promise<void> {
    // Generous: a loaded server answering in 2 s is up; a dead one refuses at once.
    const timeoutMs = Math.min(Math.max(this.#o.intervalMs, 5_000), 10_000);
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      await this.#select('SELECT 1 AS ok', {}, timeout);
      this.#up = true;
      this.#lastOkAt = this.#now();
      this.#lastError = undefined;
      this.#o.onSuccess?.();
    } catch (err) {
      this.#up = false;
      this.#lastError = errorMessage(err);
      this.#o.onFailure?.(err);
      return;
    }
    // Table health is for dashboards and alerts only: failing to read it (say, no grant on
    // system tables) leaves readiness alone.
    if (this.#probes++ % (this.#o.tableHealthEvery ?? 6) !== 0) return;
    try {
      this.#table = await this.#readTableHealth(AbortSignal.timeout(timeoutMs));
    } catch (err) {
      this.#o.onTableHealthFailure?.(err);
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
    await this.#o.client.close();
  }

  async #readTableHealth(signal: AbortSignal): Promise<TableHealth> {
    const params = { database: this.#o.database, table: this.#o.table };
    const [parts] = await this.#select<{ parts: string; max_in_partition: string }>(
      `SELECT sum(n) AS parts, max(n) AS max_in_partition FROM (
         SELECT partition_id, count() AS n FROM system.parts
         WHERE database = {database:String} AND table = {table:String} AND active
         GROUP BY partition_id)`,
      params,
      signal,
    );
    const [replicas] = await this.#select<{ delay: string }>(
      'SELECT max(absolute_delay) AS delay FROM system.replicas WHERE database = {database:String}',
      params,
      signal,
    );
    return {
      activeParts: Number(parts?.parts ?? 0),
      maxPartsPerPartition: Number(parts?.max_in_partition ?? 0),
      replicaDelaySeconds: Number(replicas?.delay ?? 0),
    };
  }

  async #select<T>(
    query: string,
    params: Record<string, unknown>,
    signal: AbortSignal,
  ): Promise<T[]> {
    const result = await this.#o.client.query({
      query,
      query_params: params,
      format: 'JSONEachRow',
      abort_signal: signal,
    });
    return result.json<T>();
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#running = this.probe().finally(() => {
        this.#running = undefined;
        this.#schedule(this.#o.intervalMs);
      });
    }, delayMs);
    this.#timer.unref();
  }
}
