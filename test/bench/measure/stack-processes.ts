import { readdirSync, readFileSync } from 'node:fs';
import type { Stack } from '../../stack/types.ts';

/** The pids of the local stack's servers, found in /proc, so their CPU can be measured too. */
export interface StackPids {
  readonly clickhouse: number | undefined;
  readonly kafka: number | undefined;
}

function cmdline(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .split('\0')
      .filter((a) => a !== '');
  } catch {
    return [];
  }
}

/**
 * The ClickHouse endpoint is the node process running the stack's clickhouse main with
 * the stack's port; the broker is the JVM running kafka.Kafka whose server.properties
 * listens on the stack's port. Undefined for a stack that runs elsewhere (testcontainers).
 */
export function findStackPids(stack: Stack): StackPids {
  const chPort = new URL(stack.clickhouse.url).port;
  const kafkaPort = stack.kafka.brokers[0]?.split(':')[1];
  let clickhouse: number | undefined;
  let kafka: number | undefined;
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const args = cmdline(pid);
    if (args.some((a) => /stack\/clickhouse\/main\.[jt]s$/.test(a))) {
      const port = args[args.indexOf('--port') + 1];
      if (port === chPort) clickhouse = pid;
    } else if (args.includes('kafka.Kafka')) {
      const properties = args.at(-1) ?? '';
      try {
        const text = readFileSync(properties, 'utf8');
        if (kafkaPort !== undefined && text.includes(`127.0.0.1:${kafkaPort}`)) kafka = pid;
      } catch {
        // not ours
      }
    }
  }
  return { clickhouse, kafka };
}
