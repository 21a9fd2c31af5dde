import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { testStack } from './stack-env.ts';

export interface WorkerProcess {
  readonly pid: number;
  readonly logFile: string;
  readonly exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
  log(): string;
}

const CLI = join(import.meta.dirname, '../../src/cli/main.ts');

// A failing test must not leave workers behind.
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/**
 * A real `hanzo-ingest run` process against the test stack. `env` adds or overrides
 * settings (topic, group, table...). Its stdout/stderr go to a log file.
 */
export function startWorkerProcess(name: string, env: Record<string, string>): WorkerProcess {
  const stack = testStack();
  const logFile = join(process.env['HANZO_TEST_DIR'] ?? '/tmp', `${name}.log`);
  const out = createWriteStream(logFile, { flags: 'a' });
  const child: ChildProcess = spawn(process.execPath, [CLI, 'run'], {
    env: {
      PATH: process.env['PATH'] ?? '',
      KAFKA_BROKERS: stack.brokers.join(','),
      CLICKHOUSE_URL: stack.clickhouse.url,
      CLICKHOUSE_USER: stack.clickhouse.username,
      CLICKHOUSE_PASSWORD: stack.clickhouse.password,
      CLICKHOUSE_MIGRATE_ON_START: 'true',
      CLICKHOUSE_REQUEST_COMPRESSION: 'false',
      BATCH_MAX_AGE_MS: '500',
      KAFKA_SESSION_TIMEOUT_MS: '10000',
      KAFKA_HEARTBEAT_INTERVAL_MS: '1000',
      KAFKA_REBALANCE_TIMEOUT_MS: '20000',
      INSERT_TIMEOUT_MS: '15000',
      INSERT_RETRY_INITIAL_MS: '200',
      INSERT_RETRY_MAX_MS: '2000',
      METRICS_PORT: '0',
      LOG_LEVEL: 'info',
      INGEST_WORKER_ID: name,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  if (child.pid === undefined) throw new Error(`could not start worker ${name}`);
  children.add(child);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      children.delete(child);
      resolve(code);
    }),
  );
  return {
    pid: child.pid,
    logFile,
    exited,
    kill: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    log: () => readFileSync(logFile, 'utf8'),
  };
}
