import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { existsSync } from 'node:fs';

/**
 * A child process that cannot outlive us.
 *
 * - Linux: started through `setpriv --pdeathsig SIGTERM`, so the kernel signals it
 *   when this process dies, even by SIGKILL.
 * - Everywhere: killed from our own `exit` handler as a second line of defence.
 * Output goes to a log file (never to a pipe nobody drains).
 */
export interface ManagedProcess {
  readonly pid: number;
  readonly name: string;
  readonly logFile: string;
  /** Resolves with the exit code (or null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after graceMs; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
  /** Sends a signal as is (SIGSTOP, SIGCONT, SIGKILL...). */
  signal(signal: NodeJS.Signals): void;
  readonly running: boolean;
}

export interface SpawnManagedOptions {
  name: string;
  logFile: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Keep an IPC channel open to the child (node children). */
  ipc?: boolean;
  /** Run as this user and group (a root parent starting a server that refuses root). */
  uid?: number;
  gid?: number;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

const SETPRIV = '/usr/bin/setpriv';

export function spawnManaged(
  command: string,
  args: readonly string[],
  options: SpawnManagedOptions,
): ManagedProcess {
  installExitHook();
  const usePdeathsig = process.platform === 'linux' && existsSync(SETPRIV);
  const [cmd, argv] = usePdeathsig
    ? [SETPRIV, ['--pdeathsig', 'SIGTERM', '--', command, ...args]]
    : [command, [...args]];
  const log = openSync(options.logFile, 'a');
  const child = spawn(cmd, argv, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    ...(options.uid === undefined ? {} : { uid: options.uid }),
    ...(options.gid === undefined ? {} : { gid: options.gid }),
    stdio: options.ipc === true ? ['ignore', log, log, 'ipc'] : ['ignore', log, log],
  });
  closeSync(log);
  if (child.pid === undefined) throw new Error(`could not start ${options.name} (${command})`);
  live.add(child);
  let running = true;
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      running = false;
      live.delete(child);
      resolve(code);
    });
    child.once('error', () => {
      running = false;
      live.delete(child);
      resolve(null);
    });
  });
  const pid = child.pid;
  return {
    pid,
    name: options.name,
    logFile: options.logFile,
    exited,
    get running() {
      return running;
    },
    signal(signal) {
      if (running) child.kill(signal);
    },
    async stop(graceMs = 15_000) {
      if (!running) return;
      child.kill('SIGCONT'); // a stopped process cannot handle SIGTERM
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
