import type { IHeaders, Kafka } from 'kafkajs';

export interface CommittedRecord {
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: IHeaders;
}

/**
 * Reads a topic from its start up to its log end at the time of the call, as a
 * read_committed consumer sees it (kafkajs's default isolation level): records of aborted
 * transactions are skipped, records of open ones are waited for. The dead-letter topic is
 * written in transactions, so its log end counts commit markers and aborted records too: a
 * partition is done once the consumer has passed its end offset, not after a count of records
 * (kafkajs reports batches of only markers or aborted records through END_BATCH_PROCESS).
 * No offsets are committed; the throwaway group is never joined again.
 */
export async function readTopicToEnd(
  kafka: Kafka,
  topic: string,
  onRecord: (record: CommittedRecord) => void,
  options: { readonly timeoutMs?: number; readonly groupPrefix?: string } = {},
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  let ends: Awaited<ReturnType<typeof admin.fetchTopicOffsets>>;
  try {
    ends = await admin.fetchTopicOffsets(topic);
  } finally {
    await admin.disconnect();
  }
  const lastOf = new Map(
    ends
      .filter((e) => BigInt(e.high) > BigInt(e.low))
      .map((e) => [e.partition, BigInt(e.high) - 1n]),
  );
  if (lastOf.size === 0) return;
  const remaining = new Set(lastOf.keys());
  const consumer = kafka.consumer({
    groupId: `${options.groupPrefix ?? 'hanzo-ingest-read'}-${process.pid}-${Date.now()}-${Math.random()}`,
  });
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    const last = lastOf.get(payload.partition);
    if (payload.topic !== topic || last === undefined) return;
    if (BigInt(payload.lastOffset) >= last) remaining.delete(payload.partition);
    if (remaining.size === 0) finish();
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    const timeoutMs = options.timeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `reading ${topic} to its end timed out after ${timeoutMs} ms (partitions ${[...remaining].join(', ')} not done; a transaction left open?)`,
            ),
          ),
        timeoutMs,
      );
    });
    await consumer.run({
      autoCommit: false,
      eachBatch: ({ batch }) => {
        const last = lastOf.get(batch.partition);
        if (last === undefined) return Promise.resolve();
        for (const message of batch.messages) {
          if (BigInt(message.offset) > last) break;
          onRecord({
            partition: batch.partition,
            offset: message.offset,
            key: message.key,
            value: message.value,
            headers: message.headers ?? {},
          });
        }
        return Promise.resolve();
      },
    });
    try {
      await Promise.race([done, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  } finally {
    await consumer.disconnect();
  }
}
