import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from '../process/free-port.ts';
import { spawnManaged, type ManagedProcess } from '../process/managed-process.ts';
import type { PostgresService } from '../types.ts';
import { requirePostgres } from './find-postgres.ts';

const run = promisify(execFile);

export interface StartPostgresOptions {
  /** Where the cluster lives when this process may own it (not root); created when missing. */
  readonly dataDir: string;
  readonly logFile: string;
  /** Time from spawn to accepting connections before start fails (default 60 s). */
  readonly readyTimeoutMs?: number;
}

/** A PostgreSQL server running as a child of this process, with a fresh cluster of its own. */
export interface LocalPostgres extends PostgresService {
  /** The cluster's directory (data/ and the unix socket). */
  readonly dir: string;
  /** Stops the server (if running) and deletes its cluster. */
  destroy(): Promise<void>;
}

/** Fast shutdown (SIGINT) ends open sessions at once; past this the server is hung. */
const STOP_GRACE_MS = 15_000;
/** Another process can take the port between freePort() and postgres binding it. */
const PORT_ATTEMPTS = 3;

/**
 * initdb into a fresh directory, then `postgres` on a free loopback port with its unix
 * socket inside that directory (never /var/run/postgresql, which another server may own).
 * PostgreSQL refuses to run as root: as root the cluster belongs to the `postgres` user
 * (created by Debian's package, else `nobody`) in a directory of its own under the temp dir,
 * since the stack's own directory may not be reachable by that user.
 */
export async function startPostgres(options: StartPostgresOptions): Promise<LocalPostgres> {
  const binaries = requirePostgres();
  const owner = await unprivilegedOwner();
  const dir =
    owner === undefined
      ? resolve(options.dataDir)
      : mkdtempSync(join(tmpdir(), 'hanzo-ingest-postgres-'));
  mkdirSync(dir, { recursive: true });
  if (owner !== undefined) chownSync(dir, owner.uid, owner.gid);
  const dataDir = join(dir, 'data');
  const asOwner = owner === undefined ? {} : { uid: owner.uid, gid: owner.gid };
  // An existing cluster (npm run stack, not as root) is kept: its data persists.
  if (!existsSync(join(dataDir, 'PG_VERSION')))
    await initCluster(binaries.initdb, dataDir, dir, asOwner, owner);
  let port = await freePort();
  let url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  let proc: ManagedProcess | undefined;

  const launch = async (): Promise<void> => {
    proc = spawnManaged(
      binaries.postgres,
      ['-D', dataDir, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1'],
      { name: 'postgres', logFile: options.logFile, cwd: dir, ...asOwner },
    );
    await waitUntilAccepting(url, proc, readyTimeoutMs, options.logFile);
  };
  const stop = async (): Promise<void> => {
    const current = proc;
    if (current === undefined || !current.running) return;
    current.signal('SIGINT');
    const timer = setTimeout(() => current.signal('SIGKILL'), STOP_GRACE_MS);
    await current.exited;
    clearTimeout(timer);
  };
  // A run that ends without destroy() (a failed start, an uncaught error) leaves no cluster
  // behind in the temp dir.
  const removeOnExit = (): void => rmSync(dir, { recursive: true, force: true });
  if (owner !== undefined) process.once('exit', removeOnExit);

  for (let attempt = 1; ; attempt++) {
    try {
      await launch();
      break;
    } catch (err) {
      // A server that exited at once most likely found its port taken: another port.
      if (attempt >= PORT_ATTEMPTS || proc?.running !== false) throw err;
      port = await freePort();
      url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    }
  }
  const version = await serverVersion(url);
  return {
    url,
    version,
    dir,
    stop,
    async start() {
      if (proc?.running === true) return;
      await launch();
    },
    async destroy() {
      await stop();
      if (owner !== undefined) {
        process.removeListener('exit', removeOnExit);
        removeOnExit();
      }
    },
  };
}

async function initCluster(
  initdb: string,
  dataDir: string,
  cwd: string,
  asOwner: { uid?: number; gid?: number },
  owner: { uid: number; gid: number } | undefined,
): Promise<void> {
  await run(
    initdb,
    ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--locale=C'],
    { ...asOwner, cwd },
  ).catch((err: unknown) => {
    throw new Error(`initdb failed: ${(err as { stderr?: string }).stderr ?? String(err)}`);
  });
  // fsync off: a development cluster is thrown away, never recovered after a crash.
  const conf = join(dataDir, 'postgresql.auto.conf');
  writeFileSync(
    conf,
    ['fsync = off', 'synchronous_commit = off', 'full_page_writes = off', ''].join('\n'),
  );
  if (owner !== undefined) chownSync(conf, owner.uid, owner.gid);
}

async function unprivilegedOwner(): Promise<{ uid: number; gid: number } | undefined> {
  if (userInfo().uid !== 0) return undefined;
  for (const name of ['postgres', 'nobody']) {
    try {
      const [uid, gid] = await Promise.all([
        run('id', ['-u', name]).then((r) => Number(r.stdout.trim())),
        run('id', ['-g', name]).then((r) => Number(r.stdout.trim())),
      ]);
      if (uid !== 0) return { uid, gid };
    } catch {
      // no such user
    }
  }
  throw new Error('running as root: PostgreSQL needs an unprivileged user (postgres or nobody)');
}

async function waitUntilAccepting(
  url: string,
  proc: ManagedProcess,
  timeoutMs: number,
  logFile: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    if (!proc.running) {
      throw new Error(`postgres exited during start-up (${await proc.exited}); see ${logFile}`);
    }
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (err) {
      last = err;
    } finally {
      await client.end().catch(() => undefined);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await proc.stop(2_000);
  throw new Error(
    `postgres not accepting connections after ${timeoutMs} ms (${String(last)}); see ${logFile}`,
  );
}

async function serverVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ server_version: string }>('SHOW server_version');
    return (result.rows[0]?.server_version ?? 'unknown').split(' ')[0] ?? 'unknown';
  } finally {
    await client.end();
  }
}
