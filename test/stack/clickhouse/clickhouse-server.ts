import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort } from '../process/free-port.ts';
import { spawnManaged, type ManagedProcess } from '../process/managed-process.ts';
import type { ClickHouseService } from '../types.ts';

export interface StartClickHouseOptions {
  /** Persistent data directory (created if missing); survives stop() / start(). */
  readonly dataDir: string;
  /** Default: a free port, kept across restarts. */
  readonly port?: number;
  readonly username?: string;
  readonly password?: string;
  /** Default: `<dataDir>.log`. */
  readonly logFile?: string;
  /** How long start-up may take before it fails (default 60 s). */
  readonly startTimeoutMs?: number;
}

export class ClickHouseStartError extends Error {
  override readonly name = 'ClickHouseStartError';
}

const HOST = '127.0.0.1';
// Compiled builds run main.js beside this file; source runs run main.ts.
const MAIN = fileURLToPath(
  new URL(import.meta.url.endsWith('.ts') ? './main.ts' : './main.js', import.meta.url),
);

/**
 * Starts the local ClickHouse HTTP endpoint (main.ts) as a child process that
 * dies with us, and resolves once it answers `/ping` and `SELECT version()`.
 */
export async function startClickHouse(options: StartClickHouseOptions): Promise<ClickHouseService> {
  const dataDir = resolve(options.dataDir);
  const port = options.port ?? (await freePort(HOST));
  const username = options.username ?? 'default';
  const password = options.password ?? '';
  const logFile = resolve(options.logFile ?? `${dataDir}.log`);
  const timeoutMs = options.startTimeoutMs ?? 60_000;
  const url = `http://${HOST}:${port}`;
  mkdirSync(dirname(logFile), { recursive: true });

  let child: ManagedProcess | undefined;
  const launch = async (): Promise<string> => {
    child = spawnManaged(
      process.execPath,
      [MAIN, '--data-dir', dataDir, '--port', String(port), '--host', HOST, '--user', username],
      {
        name: 'clickhouse',
        logFile,
        ipc: true,
        env: { ...process.env, CLICKHOUSE_PASSWORD: password },
      },
    );
    try {
      return await waitUntilReady(child, url, { username, password }, timeoutMs);
    } catch (error) {
      await child.stop(2_000);
      throw error;
    }
  };

  const version = await launch();
  return {
    url,
    username,
    password,
    version,
    async stop() {
      await child?.stop();
    },
    async start() {
      if (child?.running === true) return;
      await launch();
    },
  };
}

async function waitUntilReady(
  child: ManagedProcess,
  url: string,
  auth: { username: string; password: string },
  timeoutMs: number,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let lastProblem = 'no answer yet';
  while (Date.now() < deadline) {
    if (!child.running) {
      throw new ClickHouseStartError(
        `ClickHouse exited during start-up (${url})\n${logTail(child.logFile)}`,
      );
    }
    let answered = false;
    try {
      const ping = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(2_000) });
      answered = ping.ok && (await ping.text()) === 'Ok.\n';
      lastProblem = `/ping answered ${ping.status}`;
    } catch (error) {
      lastProblem = error instanceof Error ? error.message : String(error);
    }
    if (answered) return engineVersion(url, auth);
    await sleep(100);
  }
  throw new ClickHouseStartError(
    `ClickHouse did not become ready at ${url} within ${timeoutMs} ms (${lastProblem})\n${logTail(child.logFile)}`,
  );
}

async function engineVersion(
  url: string,
  auth: { username: string; password: string },
): Promise<string> {
  const response = await fetch(`${url}/?query=${encodeURIComponent('SELECT version()')}`, {
    headers: { 'X-ClickHouse-User': auth.username, 'X-ClickHouse-Key': auth.password },
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (!response.ok)
    throw new ClickHouseStartError(`SELECT version() failed with ${response.status}: ${text}`);
  return text.trim();
}

function logTail(logFile: string, lines = 40): string {
  if (!existsSync(logFile)) return `(no log at ${logFile})`;
  const tail = readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  return `--- last lines of ${logFile} ---\n${tail}`;
}
