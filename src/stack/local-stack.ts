import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startClickHouse } from './clickhouse/clickhouse-server.ts';
import { startKafka } from './kafka/kafka-server.ts';
import type { Stack } from './types.ts';

export interface StackOptions {
  /** Where Kafka's and ClickHouse's data and logs live. */
  readonly dir: string;
  /** `local` (real processes, no Docker) or `testcontainers` (Docker); default from HANZO_STACK. */
  readonly provider?: 'local' | 'testcontainers';
  readonly clickhouseUser?: string;
  readonly clickhousePassword?: string;
}

/** Starts Kafka and ClickHouse with the provider the environment asks for. */
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

/** Real Apache Kafka (KRaft, jars from Maven Central) and the ClickHouse engine (chDB) over HTTP. */
async function startLocalStack(options: StackOptions): Promise<Stack> {
  mkdirSync(options.dir, { recursive: true });
  const [kafka, clickhouse] = await Promise.all([
    startKafka({ dataDir: join(options.dir, 'kafka'), logFile: join(options.dir, 'kafka.log') }),
    startClickHouse({
      dataDir: join(options.dir, 'clickhouse'),
      logFile: join(options.dir, 'clickhouse.log'),
      username: options.clickhouseUser ?? 'default',
      password: options.clickhousePassword ?? '',
    }),
  ]);
  let stopped: Promise<void> | undefined;
  return {
    provider: 'local',
    kafka,
    clickhouse,
    env: () => stackEnv(kafka.brokers, clickhouse),
    stop: () => (stopped ??= Promise.all([kafka.stop(), clickhouse.stop()]).then(() => undefined)),
  };
}

export function stackEnv(
  brokers: readonly string[],
  clickhouse: { url: string; username: string; password: string },
): Record<string, string> {
  return {
    KAFKA_BROKERS: brokers.join(','),
    CLICKHOUSE_URL: clickhouse.url,
    CLICKHOUSE_USER: clickhouse.username,
    CLICKHOUSE_PASSWORD: clickhouse.password,
  };
}
