import { readFileSync } from 'node:fs';
import type { StackPids } from './stack-processes.ts';

/** What /proc says about a process: memory (KiB) and CPU time (seconds). */
export interface ProcSample {
  readonly rssKiB: number;
  /** Peak resident set size since the process started (VmHWM). */
  readonly peakRssKiB: number;
  readonly cpuSeconds: number;
}

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ; 100 on Linux everywhere). */
const USER_HZ = 100;

/** A field of /proc/<pid>/status in KiB (`VmRSS:   123456 kB`), 0 when absent. */
export function statusKiB(statusText: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+)\\s*kB`, 'm').exec(statusText);
  return Number(match?.[1] ?? 0);
}

/**
 * utime + stime from /proc/<pid>/stat, in seconds. The command name (field 2) may hold
 * spaces and parentheses, so fields are counted after its last ')'.
 */
export function statCpuSeconds(statText: string): number {
  const rest = statText.slice(statText.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state); utime and stime are fields 14 and 15.
  return (Number(rest[11]) + Number(rest[12])) / USER_HZ;
}

/** A sample of a live process, or undefined once it is gone. */
export function sampleProcess(pid: number): ProcSample | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return {
      rssKiB: statusKiB(status, 'VmRSS'),
      peakRssKiB: statusKiB(status, 'VmHWM'),
      cpuSeconds: statCpuSeconds(stat),
    };
  } catch {
    return undefined;
  }
}

/** Keeps the last sample of each process, so figures survive the process exiting. */
export class ProcessWatch {
  readonly #last = new Map<number, ProcSample>();
  readonly #pids: readonly number[];

  constructor(pids: readonly number[]) {
    this.#pids = pids;
  }

  sample(): void {
    for (const pid of this.#pids) {
      const s = sampleProcess(pid);
      if (s !== undefined) this.#last.set(pid, s);
    }
  }

  /** Highest VmHWM among the processes, in MiB. */
  get peakRssMiB(): number {
    return Math.max(0, ...[...this.#last.values()].map((s) => s.peakRssKiB)) / 1024;
  }

  /** CPU seconds of all processes together. */
  get cpuSeconds(): number {
    return [...this.#last.values()].reduce((sum, s) => sum + s.cpuSeconds, 0);
  }
}

/** CPU the stack's servers spend between start() and stop(), per million events. */
export class ServerCpu {
  readonly #pids: StackPids;
  #atStart: { clickhouse: number | undefined; kafka: number | undefined } = {
    clickhouse: undefined,
    kafka: undefined,
  };

  constructor(pids: StackPids) {
    this.#pids = pids;
  }

  start(): void {
    this.#atStart = this.#cpu();
  }

  stop(events: number): {
    clickhouseCpuSecondsPerMillion: number | undefined;
    kafkaCpuSecondsPerMillion: number | undefined;
  } {
    const now = this.#cpu();
    const perMillion = (a: number | undefined, b: number | undefined): number | undefined =>
      a === undefined || b === undefined ? undefined : Math.round(((b - a) / events) * 1e7) / 10;
    return {
      clickhouseCpuSecondsPerMillion: perMillion(this.#atStart.clickhouse, now.clickhouse),
      kafkaCpuSecondsPerMillion: perMillion(this.#atStart.kafka, now.kafka),
    };
  }

  #cpu(): { clickhouse: number | undefined; kafka: number | undefined } {
    const of = (pid: number | undefined): number | undefined =>
      pid === undefined ? undefined : sampleProcess(pid)?.cpuSeconds;
    return { clickhouse: of(this.#pids.clickhouse), kafka: of(this.#pids.kafka) };
  }
}
