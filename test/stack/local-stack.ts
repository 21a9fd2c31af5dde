import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startClickHouse } from './clickhouse/clickhouse-server.ts';
import { startKafka } from './kafka/kafka-server.ts';
import { startPostgres } from './postgres/postgres-server.ts';
import type { Stack } from './types.ts';

export interface StackOptions {
  /** Where Kafka's, ClickHouse's and PostgreSQL's data and logs live (PostgreSQL's elsewhere as root: postgres-server.ts). */
  readonly dir: string;
  /** `local` (real processes, no Docker) or `testcontainers` (Docker); default from HANZO_STACK. */
  readonly provider?: 'local' | 'testcontainers';
  readonly clickhouseUser?: string;
  readonly clickhousePassword?: string;
  /** Start PostgreSQL too (the tests: per-team retention reads team_settings from it). */
  readonly postgres?: boolean;
}

/** Starts Kafka, ClickHouse and PostgreSQL with the provider the environment asks for. */
export async function startStack(options: StackOptions): Promise<Stack> {
  const provider = options.provider ?? stackProviderFromEnv();
  if (provider === 'testcontainers') {
    const { startContainerStack } = await import('./testcontainers-stack.ts');
    return startContainerStack(options);
  }
  return startLocalStack(options);
}

export function stackProviderFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): 'local' | 'testcontainers' {
  const value = env['HANZO_STACK'] ?? 'local';
  if (value !== 'local' && value !== 'testcontainers') {
    throw new Error(`HANZO_STACK must be "local" or "testcontainers", got "${value}"`);
  }
  return value;
}

/**
 * Real Apache Kafka (KRaft, jars from Maven Central), the ClickHouse engine (chDB) over HTTP
 * and Debian's PostgreSQL server (a fresh cluster, deleted when the stack stops).
 */
async function startLocalStack(options: StackOptions): Promise<Stack> {
  mkdirSync(options.dir, { recursive: true });
  const [kafka, clickhouse, postgres] = await Promise.all([
    startKafka({ dataDir: join(options.dir, 'kafka'), logFile: join(options.dir, 'kafka.log') }),
    startClickHouse({
      dataDir: join(options.dir, 'clickhouse'),
      logFile: join(options.dir, 'clickhouse.log'),
      username: options.clickhouseUser ?? 'default',
      password: options.clickhousePassword ?? '',
    }),
    options.postgres === true
      ? startPostgres({
          dataDir: join(options.dir, 'postgres'),
          logFile: join(options.dir, 'postgres.log'),
        })
      : undefined,
  ]);
  let stopped: Promise<void> | undefined;
  return {
    provider: 'local',
    kafka,
    clickhouse,
    postgres,
    env: () => stackEnv(kafka.brokers, clickhouse, postgres),
    stop: () =>
      (stopped ??= Promise.all([kafka.stop(), clickhouse.stop(), postgres?.destroy()]).then(
        () => undefined,
      )),
  };
}

export function stackEnv(
  brokers: readonly string[],
  clickhouse: { url: string; username: string; password: string },
  postgres: { url: string } | undefined,
): Record<string, string> {
  return {
    // Not TEAM_SETTINGS_URL: tests and workers opt into per-team retention themselves.
    ...(postgres === undefined ? {} : { POSTGRES_URL: postgres.url }),
    KAFKA_BROKERS: brokers.join(','),
    CLICKHOUSE_URL: clickhouse.url,
    CLICKHOUSE_USER: clickhouse.username,
    CLICKHOUSE_PASSWORD: clickhouse.password,
  };
}
