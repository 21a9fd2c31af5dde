import kafkajs, { type Kafka, type PartitionMetadata } from 'kafkajs';
import { runKafkaTool } from './kafka-tool.ts';
import { logEndOffsets } from './kafka.ts';
import { testStack } from './stack-env.ts';

const CONSOLE_PRODUCER = 'org.apache.kafka.tools.ConsoleProducer';

export interface JavaProduceOptions {
  readonly topic: string;
  /** One message value per line (no line breaks inside). */
  readonly lines: readonly string[];
  /** The producer's compression.type (ConsoleProducer's --compression-codec); none if unset. */
  readonly compression?: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
  /** Other producer configs, e.g. `{ 'linger.ms': '50', 'batch.size': '65536' }`. */
  readonly properties?: Readonly<Record<string, string>>;
  /** A key per line (no tabs or line breaks inside); else the lines are unkeyed. */
  readonly keys?: readonly string[];
  /**
   * Every line to this partition (ConsoleProducer has no partition option: each line gets
   * a key that Kafka's default partitioner maps there). Not together with `keys`.
   */
  readonly partition?: number;
  readonly timeoutMs?: number;
}

/**
 * Produces with Apache Kafka's own Java console producer, the way Java services and the
 * Kafka CLI write batches (compression, batching, partitioning). Resolves once the topic's
 * log end moved by at least one offset per line: ConsoleProducer only logs a failed send.
 */
export async function produceWithJavaProducer(
  kafka: Kafka,
  options: JavaProduceOptions,
): Promise<void> {
  const { topic, lines } = options;
  if (options.keys !== undefined && options.keys.length !== lines.length) {
    throw new Error(`${options.keys.length} keys for ${lines.length} lines`);
  }
  if (options.keys !== undefined && options.partition !== undefined) {
    throw new Error('keys and partition are exclusive: the partition is chosen by key');
  }
  const before = await logEndOffsets(kafka, topic);
  const key =
    options.partition === undefined
      ? undefined
      : keyForPartition(options.partition, before.size, topic);
  const keys = options.keys ?? (key === undefined ? undefined : lines.map(() => key));
  const args = ['--bootstrap-server', testStack().brokers.join(','), '--topic', topic];
  args.push('--compression-codec', options.compression ?? 'none');
  for (const [name, value] of Object.entries(options.properties ?? {})) {
    // ConsoleProducer sets compression.type from --compression-codec over any property.
    if (name === 'compression.type') throw new Error('set `compression`, not compression.type');
    args.push('--command-property', `${name}=${value}`);
  }
  if (keys !== undefined) {
    args.push('--reader-property', 'parse.key=true', '--reader-property', 'key.separator=\t');
  }
  const input = lines.map((line, i) => (keys === undefined ? line : `${keys[i]}\t${line}`));
  await runKafkaTool(CONSOLE_PRODUCER, args, {
    stdin: `${input.join('\n')}\n`,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
  const after = await logEndOffsets(kafka, topic);
  const moved = [...after].reduce((sum, [p, end]) => sum + end - (before.get(p) ?? 0), 0);
  if (moved < lines.length) {
    throw new Error(`ConsoleProducer wrote ${moved} of ${lines.length} lines to ${topic}`);
  }
}

/** A key Kafka's default partitioner (murmur2, as kafkajs's DefaultPartitioner) maps to `partition`. */
function keyForPartition(partition: number, partitions: number, topic: string): string {
  if (partition < 0 || partition >= partitions) {
    throw new Error(`${topic} has ${partitions} partitions, not ${partition}`);
  }
  const partitioner = kafkajs.Partitioners.DefaultPartitioner();
  const partitionMetadata: PartitionMetadata[] = Array.from({ length: partitions }, (_, i) => ({
    partitionErrorCode: 0,
    partitionId: i,
    leader: 0,
    replicas: [0],
    isr: [0],
  }));
  for (let n = 0; ; n++) {
    const key = `p${partition}-${n}`;
    if (partitioner({ topic, partitionMetadata, message: { key, value: null } }) === partition) {
      return key;
    }
  }
}
