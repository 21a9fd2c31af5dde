/**
 * The contract every stack provider (local processes, testcontainers) fulfils.
 * Tests, the demo and the benchmark only see these handles, never the provider.
 */

/** A service that can be stopped and started again on the same address and data. */
export interface RestartableService {
  /** Stops the service; resolves once its process (or container) has exited. Idempotent. */
  stop(): Promise<void>;
  /** Starts it again after stop(), same address, same data; resolves when ready. */
  start(): Promise<void>;
}

export interface KafkaService extends RestartableService {
  /** Bootstrap brokers, e.g. ["127.0.0.1:39092"]. */
  readonly brokers: readonly string[];
  /** Apache Kafka version the broker runs, e.g. "4.3.1". */
  readonly version: string;
}

export interface ClickHouseService extends RestartableService {
  /** ClickHouse HTTP interface base URL, e.g. "http://127.0.0.1:38123". */
  readonly url: string;
  readonly username: string;
  readonly password: string;
  /** ClickHouse engine version reported by SELECT version(). */
  readonly version: string;
}

export interface PostgresService extends RestartableService {
  /** Connection string of a superuser on the `postgres` database, e.g. "postgres://postgres@127.0.0.1:35432/postgres". */
  readonly url: string;
  /** Server version, e.g. "15.18". */
  readonly version: string;
}

export interface Stack {
  readonly provider: 'local' | 'testcontainers';
  readonly kafka: KafkaService;
  readonly clickhouse: ClickHouseService;
  /** PostgreSQL (`team_settings` of per-team retention), when asked for (StackOptions.postgres). */
  readonly postgres: PostgresService | undefined;
  /** Environment lines describing the stack (KAFKA_BROKERS, CLICKHOUSE_URL, ...). */
  env(): Record<string, string>;
  /** Stops everything; safe to call twice. */
  stop(): Promise<void>;
}
