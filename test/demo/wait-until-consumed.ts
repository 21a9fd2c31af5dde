import type { Kafka } from 'kafkajs';

/**
 * Waits until `group` has committed every partition of `topic` up to the log end it has
 * now. A worker commits an offset only once everything before it has landed in ClickHouse
 * or in the dead-letter topic, so this is the moment the report can be read. Resolves with
 * the number of messages behind the commits at the end (0 unless it timed out).
 */
export async function waitUntilConsumed(
  kafka: Kafka,
  group: string,
  topic: string,
  timeoutMs: number,
): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
      const at = new Map((committed?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
      let behind = 0n;
      for (const end of ends) {
        const offset = at.get(end.partition) ?? -1n;
        const low = BigInt(end.low);
        behind += BigInt(end.high) - (offset < low ? low : offset);
      }
      if (behind === 0n || Date.now() >= deadline) return Number(behind);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } finally {
    await admin.disconnect();
  }
}
