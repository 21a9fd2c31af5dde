import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Admin } from 'kafkajs';
import { CLI_ENTRY, NODE_FLAGS } from '../../demo/worker-env.ts';
import { spawnManaged, type ManagedProcess } from '../../stack/process/managed-process.ts';
import { sleep } from '../bench-context.ts';

/** N real `hanzo-ingest run` processes of one consumer group, started and stopped together. */
export class WorkerFleet {
  readonly processes: readonly ManagedProcess[];

  private constructor(processes: readonly ManagedProcess[]) {
    this.processes = processes;
  }

  /** `envOf(i)` gives worker i its environment; `nodeArgs` go before the CLI (e.g. --cpu-prof). */
  static start(options: {
    readonly count: number;
    readonly name: string;
    readonly dir: string;
    readonly envOf: (index: number) => NodeJS.ProcessEnv;
    readonly nodeArgs?: readonly string[];
  }): WorkerFleet {
    const processes = Array.from({ length: options.count }, (_, i) => {
      const name = `${options.name}-w${i + 1}`;
      return spawnManaged(
        process.execPath,
        [...NODE_FLAGS, ...(options.nodeArgs ?? []), CLI_ENTRY, 'run'],
        { name, logFile: join(options.dir, `${name}.log`), env: options.envOf(i) },
      );
    });
    return new WorkerFleet(processes);
  }

  get pids(): number[] {
    return this.processes.map((p) => p.pid);
  }

  /** Throws with the worker's log tail if any worker has exited. */
  assertRunning(): void {
    const dead = this.processes.find((p) => !p.running);
    if (dead !== undefined) {
      throw new Error(`${dead.name} exited during the measurement:\n${logTail(dead.logFile)}`);
    }
  }

  /** Graceful stop (SIGTERM, drain), SIGKILL after the grace period. */
  async stop(graceMs = 30_000): Promise<void> {
    await Promise.all(this.processes.map((p) => p.stop(graceMs)));
  }
}

export function logTail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Waits until the group is Stable with `members` members: every worker has joined and
 * partitions are assigned, so what follows is consumption, not start-up.
 */
export async function waitForStableGroup(
  admin: Admin,
  group: string,
  members: number,
  options: { timeoutMs: number; fleet?: WorkerFleet },
): Promise<number> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    options.fleet?.assertRunning();
    const { groups } = await admin.describeGroups([group]);
    const g = groups[0];
    if (g?.state === 'Stable' && g.members.length === members) return performance.now();
    if (Date.now() > deadline) {
      throw new Error(
        `group ${group} not Stable with ${members} members after ${options.timeoutMs / 1000} s (state ${g?.state}, ${g?.members.length ?? 0} members)`,
      );
    }
    await sleep(50);
  }
}
