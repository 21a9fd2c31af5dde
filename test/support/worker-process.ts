import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_ENTRY, NODE_FLAGS, localWorkerEnv } from '../demo/worker-env.ts';
import { spawnManaged, type ManagedProcess } from '../stack/process/managed-process.ts';
import type { Kafka } from 'kafkajs';
import { waitForCommittedToLogEnd } from './kafka.ts';
import { testStack } from './stack-env.ts';

export interface WorkerProcess extends ManagedProcess {
  kill(signal: NodeJS.Signals): void;
  log(): string;
}

/**
 * A real `hanzo-ingest run` process against the test stack, with settings that make
 * failures show quickly (short session timeout, fast retries). `env` adds or overrides.
 */
export function startWorkerProcess(name: string, env: Record<string, string>): WorkerProcess {
  const stack = testStack();
  const logFile = join(process.env['HANZO_TEST_DIR'] ?? '/tmp', `${name}.log`);
  const child = spawnManaged(process.execPath, [...NODE_FLAGS, CLI_ENTRY, 'run'], {
    name,
    logFile,
    env: localWorkerEnv(
      {
        KAFKA_BROKERS: stack.brokers.join(','),
        CLICKHOUSE_URL: stack.clickhouse.url,
        CLICKHOUSE_USER: stack.clickhouse.username,
        CLICKHOUSE_PASSWORD: stack.clickhouse.password,
      },
      {
        BATCH_MAX_AGE_MS: '500',
        KAFKA_SESSION_TIMEOUT_MS: '10000',
        KAFKA_HEARTBEAT_INTERVAL_MS: '1000',
        KAFKA_REBALANCE_TIMEOUT_MS: '20000',
        INSERT_TIMEOUT_MS: '15000',
        INSERT_RETRY_INITIAL_MS: '200',
        INSERT_RETRY_MAX_MS: '2000',
        INGEST_WORKER_ID: name,
        ...env,
      },
    ),
  });
  return Object.assign(child, {
    kill: (signal: NodeJS.Signals) => child.signal(signal),
    log: () => readFileSync(logFile, 'utf8'),
  });
}

/**
 * Runs a worker (settings as for startWorkerProcess, KAFKA_TOPICS one topic) until its group
 * has committed that topic up to the log end as it is now, then stops it with SIGTERM; fails
 * unless it drained and exited 0 (with the end of its log).
 */
export function runWorkerToLogEnd(
  kafka: Kafka,
  name: string,
  env: Record<string, string> & { KAFKA_TOPICS: string; KAFKA_GROUP_ID: string },
  timeoutMs = 90_000,
): Promise<void> {
  return runWorkerUntil(name, env, () =>
    waitForCommittedToLogEnd(kafka, env.KAFKA_GROUP_ID, env.KAFKA_TOPICS, timeoutMs),
  );
}

/**
 * Runs a worker until `reached` resolves, then stops it with SIGTERM; fails unless it exited
 * 0. When `reached` fails, the error carries the end of the worker's own log.
 */
export async function runWorkerUntil(
  name: string,
  env: Record<string, string>,
  reached: () => Promise<unknown>,
): Promise<void> {
  const worker = startWorkerProcess(name, env);
  try {
    await reached();
  } catch (err) {
    // What the worker was doing is the first thing to read when it did not get there (its
    // own lines: the ClickHouse client logs every failed request again, at length).
    const own = worker
      .log()
      .split('\n')
      .filter((line) => !line.includes('"component":"clickhouse-client"'))
      .join('\n');
    throw new Error(`${(err as Error).message}\n--- worker log (end) ---\n${own.slice(-6000)}`, {
      cause: err,
    });
  } finally {
    worker.kill('SIGTERM');
    assert.equal(await worker.exited, 0, worker.log().slice(-3000));
  }
}
