import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireJava } from '../../stack/kafka/find-executable.ts';
import { ensureKafkaJars } from '../../stack/kafka/kafka-jars.ts';
import { spawnManaged } from '../../stack/process/managed-process.ts';
import { benchWorkerConfig, withTimeout, type BenchContext } from '../bench-context.ts';
import { round } from '../corpus/preload-corpus.ts';
import type { ConsumeRun } from './consume-kafkajs.ts';

/** Kafka's own consumer benchmark, in the jars the local broker runs from (Kafka 4.x name). */
export const CONSUMER_PERFORMANCE_CLASS = 'org.apache.kafka.tools.ConsumerPerformance';

/**
 * The figures ConsumerPerformance prints: a CSV header naming the columns
 * (`start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec,
 * rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec`) and one line of values.
 * Other output (JVM and log4j warnings) may surround them.
 */
export function parseConsumerPerformance(output: string): Record<string, number> {
  const lines = output.split('\n').map((l) => l.trim());
  const headerIndex = lines.findIndex((l) => l.includes('nMsg.sec') && l.includes('start.time'));
  if (headerIndex < 0) throw new Error('no ConsumerPerformance header in the output');
  const names = (lines[headerIndex] ?? '').split(',').map((s) => s.trim());
  const valuesLine = lines.slice(headerIndex + 1).find((l) => l.split(',').length === names.length);
  if (valuesLine === undefined) throw new Error('no ConsumerPerformance figures in the output');
  const values = valuesLine.split(',').map((s) => s.trim());
  const out: Record<string, number> = {};
  names.forEach((name, i) => {
    const value = Number(values[i]);
    if (!Number.isNaN(value)) out[name] = value;
  });
  return out;
}

/**
 * Runs ConsumerPerformance with java directly (as kafka-consumer-perf-test.sh would), with
 * the worker's fetch settings. The rate is its `fetch.nMsg.sec`: the group join excluded,
 * like the other measurements.
 */
export async function measureKafkaTool(
  ctx: BenchContext,
  topic: string,
  events: number,
  repetition: number,
): Promise<ConsumeRun> {
  const group = `${ctx.runId}_perftool_r${repetition}`;
  const { kafka } = benchWorkerConfig(ctx, { topic, group, table: 'unused', workerId: group });
  const { classpath } = await ensureKafkaJars();
  const logFile = join(ctx.dir, `${group}.log`);
  const jvm = spawnManaged(
    requireJava(),
    [
      '-Xmx512m',
      '-XX:+UseG1GC',
      '-Xshare:auto',
      '-XX:-UsePerfData',
      '-Dlog4j2.level=WARN',
      '-cp',
      classpath,
      CONSUMER_PERFORMANCE_CLASS,
      '--bootstrap-server',
      ctx.stack.kafka.brokers.join(','),
      '--topic',
      topic,
      '--group',
      group,
      '--num-records',
      String(events),
      '--fetch-size',
      String(kafka.fetchMaxBytesPerPartition),
      '--command-property',
      `fetch.max.bytes=${kafka.fetchMaxBytes}`,
      '--command-property',
      `fetch.max.wait.ms=${kafka.fetchMaxWaitMs}`,
      '--command-property',
      'auto.offset.reset=earliest',
      '--timeout',
      '60000',
    ],
    { name: `ConsumerPerformance ${group}`, logFile },
  );
  let code: number | null;
  try {
    code = await withTimeout(group, ctx.options.phaseTimeoutMs, jvm.exited);
  } finally {
    await jvm.stop(5_000);
  }
  const output = readFileSync(logFile, 'utf8');
  if (code !== 0)
    throw new Error(`ConsumerPerformance exited with ${code}:\n${output.slice(-2000)}`);
  const figures = parseConsumerPerformance(output);
  const consumed = figures['data.consumed.in.nMsg'] ?? 0;
  if (consumed < events)
    throw new Error(`ConsumerPerformance read ${consumed} of ${events} records`);
  const fetchMs = figures['fetch.time.ms'] ?? 0;
  return {
    events: consumed,
    bytes: Math.round((figures['data.consumed.in.MB'] ?? 0) * 2 ** 20),
    seconds: round(fetchMs / 1000, 2),
    eventsPerSecond: Math.round(figures['fetch.nMsg.sec'] ?? 0),
    megabytesPerSecond: round(figures['fetch.MB.sec'] ?? 0, 1),
    clientCpuSecondsPerMillion: undefined,
    kafkaCpuSecondsPerMillion: undefined,
  };
}
