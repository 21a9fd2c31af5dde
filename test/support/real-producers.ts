import type { Kafka } from 'kafkajs';
import { produceWithJavaProducer } from './java-producer.ts';

/**
 * Writes `lines` to a 2-partition topic the way real producers do: the first half to
 * partition 0 as zstd batches from Kafka's Java producer (lingering, so several records per
 * batch); the rest to partition 1 in three kafkajs transactions of a third each (keys
 * `tx<first line>`), the middle one aborted. `committed(i)`: line i is visible to
 * read_committed readers (every line but the aborted transaction's).
 */
export async function produceLikeRealProducers(
  kafka: Kafka,
  topic: string,
  lines: readonly string[],
): Promise<{ readonly committed: (i: number) => boolean }> {
  const half = Math.floor(lines.length / 2);
  await produceWithJavaProducer(kafka, {
    topic,
    lines: lines.slice(0, half),
    compression: 'zstd',
    partition: 0,
    properties: { 'linger.ms': '50', 'batch.size': '16384' },
  });
  const third = Math.ceil((lines.length - half) / 3);
  const transactions = [
    { from: half, commit: true },
    { from: half + third, commit: false },
    { from: half + 2 * third, commit: true },
  ];
  const producer = kafka.producer({
    transactionalId: `${topic}-tx`,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  try {
    for (const { from, commit } of transactions) {
      const tx = await producer.transaction();
      await tx.send({
        topic,
        messages: lines
          .slice(from, Math.min(from + third, lines.length))
          .map((value) => ({ value, partition: 1, key: `tx${from}` })),
      });
      await (commit ? tx.commit() : tx.abort());
    }
  } finally {
    await producer.disconnect();
  }
  const aborted = transactions[1]!;
  return { committed: (i) => i < aborted.from || i >= aborted.from + third };
}
