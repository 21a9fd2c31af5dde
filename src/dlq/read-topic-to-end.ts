import type { IHeaders, Kafka } from 'kafkajs';
import { logBounds, readOffsetRanges } from '../consume/read-offset-ranges.ts';

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
 * transactions are skipped, records of open ones are waited for (read-offset-ranges.ts). The
 * dead-letter topic is written in transactions: its log end counts commit markers and aborted
 * records too. No offsets are committed; the throwaway group is never joined again.
 */
export async function readTopicToEnd(
  kafka: Kafka,
  topic: string,
  onRecord: (record: CommittedRecord) => void,
  options: { readonly timeoutMs?: number; readonly groupPrefix?: string } = {},
): Promise<void> {
  const bounds = await logBounds(kafka, topic);
  const ranges = new Map(
    [...bounds]
      .filter(([, log]) => log.high > log.low)
      .map(([partition, log]) => [partition, { from: log.low, to: log.high - 1n }]),
  );
  await readOffsetRanges(
    kafka,
    topic,
    [...bounds.keys()],
    ranges,
    (partition, message) =>
      onRecord({
        partition,
        offset: message.offset,
        key: message.key,
        value: message.value,
        headers: message.headers ?? {},
      }),
    {
      groupPrefix: options.groupPrefix ?? 'hanzo-ingest-read',
      timeoutMs: options.timeoutMs ?? 60_000,
    },
  );
}
