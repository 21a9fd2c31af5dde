import { readFileSync } from 'node:fs';
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { ensureKafkaJars } from '../stack/kafka/kafka-jars.ts';
import { stackEnv } from '../stack/local-stack.ts';
import type { Stack } from '../stack/types.ts';

/** KEY=value lines (the env file `npm run stack` writes). */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

/**
 * A stack someone else runs (`npm run stack`), for developing the bench without starting
 * Kafka and ClickHouse every time. The bench never stops it; measurements that restart
 * a server (the outage run) are skipped.
 */
export async function connectRunningStack(envFile: string): Promise<Stack> {
  const env = parseEnvFile(readFileSync(envFile, 'utf8'));
  const brokers = (env['KAFKA_BROKERS'] ?? '').split(',').filter((b) => b !== '');
  const url = env['CLICKHOUSE_URL'];
  if (brokers.length === 0 || url === undefined) {
    throw new Error(`${envFile}: KAFKA_BROKERS and CLICKHOUSE_URL expected`);
  }
  const clickhouse = {
    url,
    username: env['CLICKHOUSE_USER'] ?? 'default',
    password: env['CLICKHOUSE_PASSWORD'] ?? '',
  };
  const client = createClient({ ...clickhouse, log: { level: ClickHouseLogLevel.OFF } });
  const result = await client.query({ query: 'SELECT version() AS v', format: 'JSONEachRow' });
  const [row] = await result.json<{ v: string }>();
  await client.close();
  const notManaged = (): Promise<void> =>
    Promise.reject(new Error('the stack is not managed by the bench (--stack-env)'));
  return {
    provider: 'local',
    kafka: {
      brokers,
      version: `${(await ensureKafkaJars()).version} (assumed: pinned version)`,
      stop: notManaged,
      start: notManaged,
    },
    clickhouse: {
      ...clickhouse,
      version: row?.v ?? 'unknown',
      stop: notManaged,
      start: notManaged,
    },
    postgres: undefined,
    env: () => stackEnv(brokers, clickhouse, undefined),
    stop: () => Promise.resolve(),
  };
}
