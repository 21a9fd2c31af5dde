import type { IHeaders, Kafka, Message } from 'kafkajs';
import { DLQ_HEADERS, headerText } from './dead-letter-headers.ts';
import { readTopicToEnd } from './read-topic-to-end.ts';

/** Reading the DLQ waits at most this long for a transaction left open to end. */
const REPLAY_READ_TIMEOUT_MS = 120_000;

export interface ReplayFilter {
  /** Only these reasons (error classes); all when empty. */
  readonly reasons: readonly string[];
  /** Only dead letters written at or after / before these instants (epoch ms). */
  readonly sinceMs?: number | undefined;
  readonly untilMs?: number | undefined;
}

export interface ReplayOptions {
  readonly kafka: Kafka;
  readonly dlqTopic: string;
  readonly filter: ReplayFilter;
  /** Re-publish here instead of each record's source topic. */
  readonly toTopic?: string | undefined;
  readonly dryRun: boolean;
}

export interface ReplaySummary {
  readonly scanned: number;
  readonly replayed: number;
  /** The same source message dead-lettered more than once: replayed once. */
  readonly repeats: number;
  readonly byReason: Record<string, number>;
  /**
   * Dead letters stored truncated (hanzo.dlq.truncated): their value is only a prefix of
   * the event, so they are not replayed; the original is at `source` (topic:partition:offset)
   * while the source topic's retention keeps it.
   */
  readonly skippedTruncated: readonly TruncatedDeadLetter[];
  /**
   * Dead letters of rows ClickHouse refused whose message was gone from Kafka
   * (hanzo.dlq.row_format): their value is the row as inserted, not the event, so they are not
   * replayed; `source` (topic:partition:offset) for each.
   */
  readonly skippedRows: readonly string[];
}

export interface TruncatedDeadLetter {
  readonly source: string;
  readonly originalBytes: number;
}

/**
 * Re-ingests dead letters (after a fix: a schema, a limit, a skew policy): reads the DLQ
 * from its start up to its end at the time of the call (committed transactions only), keeps the records the filter
 * selects, and produces their original key, bytes and headers back to their source topic.
 * It commits nothing and changes nothing in the DLQ, so a replay can be repeated.
 */
export async function replayDeadLetters(options: ReplayOptions): Promise<ReplaySummary> {
  const selected = await readSelected(options);
  const byReason: Record<string, number> = {};
  const unique = new Map<string, { topic: string; message: Message }>();
  const truncated = new Map<string, TruncatedDeadLetter>();
  const rows = new Set<string>();
  for (const record of selected) {
    const reason = headerText(record.headers, DLQ_HEADERS.errorClass) ?? 'unknown';
    const source = `${headerText(record.headers, DLQ_HEADERS.sourceTopic)}:${headerText(record.headers, DLQ_HEADERS.sourcePartition)}:${headerText(record.headers, DLQ_HEADERS.sourceOffset)}`;
    if (unique.has(source) || truncated.has(source) || rows.has(source)) continue;
    const originalBytes = headerText(record.headers, DLQ_HEADERS.truncated);
    if (originalBytes !== undefined) {
      // Re-injecting the prefix would land a broken event as if it were the original.
      truncated.set(source, { source, originalBytes: Number(originalBytes) });
      continue;
    }
    if (headerText(record.headers, DLQ_HEADERS.rowFormat) !== undefined) {
      // A row in ClickHouse's input format: the decoder would refuse it or misread it.
      rows.add(source);
      continue;
    }
    byReason[reason] = (byReason[reason] ?? 0) + 1;
    const topic = options.toTopic ?? headerText(record.headers, DLQ_HEADERS.sourceTopic);
    if (topic === undefined) continue;
    unique.set(source, {
      topic,
      message: {
        key: record.key,
        value: record.value,
        headers: { ...originalHeaders(record.headers), 'hanzo.replayed_from': source },
      },
    });
  }
  if (!options.dryRun && unique.size > 0) {
    const producer = options.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      const byTopic = new Map<string, Message[]>();
      for (const { topic, message } of unique.values())
        byTopic.set(topic, [...(byTopic.get(topic) ?? []), message]);
      for (const [topic, messages] of byTopic) {
        for (let i = 0; i < messages.length; i += 1_000)
          await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 1_000) });
      }
    } finally {
      await producer.disconnect();
    }
  }
  return {
    scanned: selected.scanned,
    replayed: unique.size,
    repeats: selected.length - unique.size - truncated.size - rows.size,
    byReason,
    skippedTruncated: [...truncated.values()],
    skippedRows: [...rows],
  };
}

interface DeadLetterRead {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: IHeaders;
}

async function readSelected(
  options: ReplayOptions,
): Promise<DeadLetterRead[] & { scanned: number }> {
  const { kafka, dlqTopic, filter } = options;
  const selected = Object.assign([] as DeadLetterRead[], { scanned: 0 });
  // Committed dead letters only: a transaction aborted (its writer fenced) is not there.
  await readTopicToEnd(
    kafka,
    dlqTopic,
    ({ key, value, headers }) => {
      selected.scanned++;
      if (matches(headers, filter)) selected.push({ key, value, headers });
    },
    { groupPrefix: 'hanzo-ingest-dlq-replay', timeoutMs: REPLAY_READ_TIMEOUT_MS },
  );
  return selected;
}

function matches(headers: IHeaders, filter: ReplayFilter): boolean {
  const reason = headerText(headers, DLQ_HEADERS.errorClass);
  if (filter.reasons.length > 0 && (reason === undefined || !filter.reasons.includes(reason)))
    return false;
  const time = Date.parse(headerText(headers, DLQ_HEADERS.time) ?? '');
  if (filter.sinceMs !== undefined && !(time >= filter.sinceMs)) return false;
  if (filter.untilMs !== undefined && !(time < filter.untilMs)) return false;
  return true;
}

function originalHeaders(headers: IHeaders): IHeaders {
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => !name.startsWith('hanzo.dlq.')),
  );
}
