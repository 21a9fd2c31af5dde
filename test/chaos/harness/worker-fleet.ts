import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka } from 'kafkajs';
import { testKafka } from '../../support/kafka.ts';
import { startWorkerProcess, type WorkerProcess } from '../../support/worker-process.ts';
import { processState, procStatusKiB } from './proc-status.ts';

/** How a worker is meant to end; anything else is an unexpected exit (a failed scenario). */
export type ExpectedEnd = 'runs-until-stopped' | 'may-be-killed' | 'stopped-with-sigterm';

export interface FleetWorker {
  readonly name: string;
  readonly process: WorkerProcess;
  /** Date.now() when it was started. */
  readonly startedAt: number;
  expectedEnd: ExpectedEnd;
  /** undefined while running; the exit code, or null when a signal ended it. */
  exitCode: number | null | undefined;
  /** Highest VmHWM seen (KiB): the process's peak resident memory. */
  peakRssKiB: number;
  /** Seen as a member of the group: booted, its signal handlers in place. */
  joined: boolean;
}

const SAMPLE_MS = 250;

/**
 * Worker processes of one consumer group, each a real `hanzo-ingest run`. Tracks how each
 * ended against what the scenario intended, and samples each one's peak RSS (VmHWM).
 */
export class WorkerFleet {
  readonly #prefix: string;
  #baseEnv: Record<string, string>;
  readonly #workers: FleetWorker[] = [];
  readonly #sampler: NodeJS.Timeout;
  /** Restart a worker that exits on its own, as an orchestrator would (off by default). */
  supervise = false;
  /** What the supervisor did, for the report. */
  readonly restarts: string[] = [];
  readonly #started = Date.now();
  #kafka: Kafka | undefined;

  constructor(prefix: string, baseEnv: Record<string, string>) {
    this.#prefix = prefix;
    this.#baseEnv = baseEnv;
    this.#sampler = setInterval(() => this.#sample(), SAMPLE_MS);
    this.#sampler.unref();
  }

  /** Adds to or overrides the settings of the workers started from now on. */
  configure(env: Record<string, string>): void {
    this.#baseEnv = { ...this.#baseEnv, ...env };
  }

  /** Starts one more worker; `env` adds to or overrides the fleet's settings. */
  start(
    env: Record<string, string> = {},
    expectedEnd: ExpectedEnd = 'runs-until-stopped',
  ): FleetWorker {
    const name = `${this.#prefix}-w${this.#workers.length + 1}`;
    const worker: FleetWorker = {
      name,
      // Its own client id, so that the group's member list tells the workers apart.
      process: startWorkerProcess(name, { ...this.#baseEnv, KAFKA_CLIENT_ID: name, ...env }),
      startedAt: Date.now(),
      expectedEnd,
      exitCode: undefined,
      peakRssKiB: 0,
      joined: false,
    };
    void worker.process.exited.then((code) => {
      worker.exitCode = code;
      if (this.supervise && worker.expectedEnd === 'runs-until-stopped') {
        const replacement = this.start(env);
        const at = ((Date.now() - this.#started) / 1000).toFixed(0);
        this.restarts.push(
          `${worker.name} exited by itself (${code === null ? 'signal' : `code ${code}`}) at ${at} s; the supervisor started ${replacement.name}`,
        );
      }
    });
    this.#workers.push(worker);
    return worker;
  }

  running(): FleetWorker[] {
    return this.#workers.filter((w) => w.process.running);
  }

  all(): readonly FleetWorker[] {
    return this.#workers;
  }

  /** SIGKILL: the worker dies at once, whatever it was doing. */
  async kill(worker: FleetWorker): Promise<void> {
    worker.expectedEnd = 'may-be-killed';
    worker.process.kill('SIGKILL');
    await worker.process.exited;
  }

  /**
   * SIGTERM: the worker must drain and exit 0. A worker still booting has no signal handlers
   * yet and would die by the signal: it is first waited for until it joined the group (it
   * installs them before it joins), or exited, or `bootMs` passed (then signalled anyway).
   */
  async terminate(worker: FleetWorker, bootMs = 120_000): Promise<void> {
    worker.process.kill('SIGCONT');
    await this.waitUntilJoined(worker, bootMs);
    worker.expectedEnd = 'stopped-with-sigterm';
    worker.process.kill('SIGTERM');
    await worker.process.exited;
  }

  /** Waits until the worker was seen in the group (true), exited or `timeoutMs` passed. */
  async waitUntilJoined(worker: FleetWorker, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!worker.joined && worker.process.running && Date.now() < deadline) {
      const members = await this.#memberClientIds().catch(() => new Set<string>());
      for (const w of this.#workers) if (members.has(w.name)) w.joined = true;
      if (!worker.joined) await sleep(250);
    }
    return worker.joined;
  }

  async #memberClientIds(): Promise<Set<string>> {
    const group = this.#baseEnv['KAFKA_GROUP_ID'];
    if (group === undefined) return new Set();
    this.#kafka ??= testKafka(`${this.#prefix}-fleet`);
    const admin = this.#kafka.admin();
    await admin.connect();
    try {
      const { groups } = await admin.describeGroups([group]);
      return new Set((groups[0]?.members ?? []).map((m) => m.clientId));
    } finally {
      await admin.disconnect();
    }
  }

  freeze(worker: FleetWorker): void {
    worker.process.kill('SIGSTOP');
  }

  thaw(worker: FleetWorker): void {
    worker.process.kill('SIGCONT');
  }

  /** Waits until the worker froze itself (a `stop` failpoint); false if it did not in time. */
  async waitUntilFrozen(worker: FleetWorker, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && worker.process.running) {
      if (processState(worker.process.pid) === 'T') return true;
      await sleep(50);
    }
    return false;
  }

  /**
   * Stops every running worker with SIGTERM (in parallel) and waits for them: `timeoutMs`
   * for the drains, after each worker booted (see terminate).
   */
  async stopAll(timeoutMs = 60_000): Promise<void> {
    this.supervise = false;
    const running = this.running();
    for (const w of running) w.process.kill('SIGCONT');
    await Promise.all(running.map((w) => this.waitUntilJoined(w, 120_000)));
    await Promise.race([Promise.all(running.map((w) => this.terminate(w, 0))), sleep(timeoutMs)]);
    for (const w of this.running()) await w.process.stop(1_000);
  }

  peakRssMiB(): number {
    this.#sample();
    return Math.round(Math.max(0, ...this.#workers.map((w) => w.peakRssKiB)) / 1024);
  }

  /**
   * Workers that ended other than intended: crashed, or did not exit 0 after SIGTERM.
   * `tolerate` exempts exits a scenario accepts (it must say so in its notes).
   */
  unexpectedExits(tolerate: (w: FleetWorker) => boolean = () => false): string[] {
    const out: string[] = [];
    for (const w of this.#workers) {
      if (w.exitCode === undefined || tolerate(w)) continue;
      if (w.expectedEnd === 'may-be-killed') continue;
      if (w.expectedEnd === 'stopped-with-sigterm' && w.exitCode === 0) continue;
      const how = w.exitCode === null ? 'killed by a signal' : `exit code ${w.exitCode}`;
      out.push(`${w.name} ended unexpectedly (${how}); log: ${w.process.logFile}`);
    }
    return out;
  }

  close(): void {
    clearInterval(this.#sampler);
    for (const w of this.running()) w.process.kill('SIGKILL');
  }

  #sample(): void {
    for (const w of this.#workers) {
      if (!w.process.running) continue;
      w.peakRssKiB = Math.max(w.peakRssKiB, procStatusKiB(w.process.pid, 'VmHWM'));
    }
  }
}
