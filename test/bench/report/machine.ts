import { cpus, loadavg, release, totalmem } from 'node:os';
import type { Stack } from '../../stack/types.ts';

export interface MachineInfo {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly kernel: string;
  readonly node: string;
  /** 1-minute load average when the bench started: how busy the box already was. */
  readonly loadAverageAtStart: number;
  readonly kafka: string;
  readonly clickhouse: string;
  readonly stackProvider: string;
}

export function machineInfo(stack: Stack): MachineInfo {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    loadAverageAtStart: Math.round((loadavg()[0] ?? 0) * 100) / 100,
    kafka: `Apache Kafka ${stack.kafka.version}`,
    clickhouse: `ClickHouse ${stack.clickhouse.version}${stack.provider === 'local' ? ' (chDB behind the local HTTP endpoint)' : ''}`,
    stackProvider: stack.provider,
  };
}

export function describeMachine(m: MachineInfo): string {
  return `${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB, Linux ${m.kernel}, Node ${m.node}, ${m.kafka}, ${m.clickhouse}; load average ${m.loadAverageAtStart} at start`;
}
