import type { Kafka } from 'kafkajs';
import { DLQ_HEADERS, headerText } from '../../src/dlq/dead-letter-headers.ts';
import { readTopicToEnd } from '../../src/dlq/read-topic-to-end.ts';

export interface DeadLetterReasonCount {
  readonly reason: string;
  readonly stage: string;
  readonly count: number;
  /** The error message of the first dead letter with this reason. */
  readonly example: string;
}

/** The dead-letter topic as a read_committed reader sees it, counted by reason. */
export interface DeadLetterCensus {
  /** Dead letters: one per source message (topic, partition, offset in the headers). */
  readonly unique: number;
  /** Records read: more than `unique` when a source message was read twice. */
  readonly recordsRead: number;
  /** The log end offsets added up: records, plus transaction markers and aborted attempts. */
  readonly logEndOffsets: number;
  readonly byReason: readonly DeadLetterReasonCount[];
}

/**
 * Reads the dead-letter topic to its end, read committed, and counts the dead letters by the
 * reason in their headers. Each source message counts once: kafkajs's read_committed filter
 * is less strict than Kafka's own client and has let an aborted attempt through (README,
 * Guarantees); such a repeat is counted in `recordsRead` only.
 */
export async function countDeadLetters(kafka: Kafka, topic: string): Promise<DeadLetterCensus> {
  const admin = kafka.admin();
  await admin.connect();
  let logEndOffsets = 0;
  try {
    for (const o of await admin.fetchTopicOffsets(topic)) logEndOffsets += Number(o.high);
  } finally {
    await admin.disconnect();
  }
  const reasons = new Map<string, { stage: string; count: number; example: string }>();
  const sources = new Set<string>();
  let recordsRead = 0;
  await readTopicToEnd(kafka, topic, ({ headers }) => {
    recordsRead++;
    const source = [DLQ_HEADERS.sourceTopic, DLQ_HEADERS.sourcePartition, DLQ_HEADERS.sourceOffset]
      .map((name) => headerText(headers, name))
      .join(':');
    if (sources.has(source)) return;
    sources.add(source);
    const reason = headerText(headers, DLQ_HEADERS.errorClass) ?? '(no reason header)';
    const entry = reasons.get(reason);
    if (entry !== undefined) entry.count++;
    else {
      reasons.set(reason, {
        stage: headerText(headers, DLQ_HEADERS.stage) ?? '',
        count: 1,
        example: headerText(headers, DLQ_HEADERS.errorMessage) ?? '',
      });
    }
  });
  const byReason = [...reasons]
    .map(([reason, r]) => ({ reason, ...r }))
    .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
  return { unique: sources.size, recordsRead, logEndOffsets, byReason };
}
