import type { PendingRange } from '../commit/pending-range.ts';
import type { DeadLetter } from '../decode/outcome.ts';
import type { ReformedRange } from './reformed-range.ts';
import type { RowLines } from './row-lines.ts';
import type { SourceMessage } from './source-message.ts';

export interface RejectedMessage {
  readonly source: SourceMessage;
  readonly deadLetter: DeadLetter;
  /**
   * Set when ClickHouse refused the message's row and the message was no longer in Kafka when
   * read again (retention, DeleteRecords, compaction): `source.value` is then the row as the
   * insert carried it, a one-row body in this ClickHouse format (deliver/recover-originals.ts).
   */
  readonly rowFormat?: string;
}

/** A row ClickHouse refused as data; its message is read again from Kafka for the dead letter. */
export interface RefusedRow {
  readonly offset: string;
  /** The row's bytes as the insert carried them (a copy). */
  readonly row: Buffer;
  readonly deadLetter: DeadLetter;
}

/**
 * A closed, contiguous offset range [firstOffset, lastOffset] of one partition. Its
 * deduplication token names exactly that range, so re-forming the same range after a
 * crash or rebalance produces the same token and ClickHouse drops the repeat.
 */
export interface SealedBatch {
  readonly topic: string;
  readonly partition: number;
  readonly firstOffset: bigint;
  readonly lastOffset: bigint;
  /** The rows with the messages they came from and their months (row-lines.ts). */
  readonly rows: RowLines;
  readonly rejected: readonly RejectedMessage[];
  readonly bytes: number;
  readonly memoryBytes: number;
  readonly startedAt: number;
  /**
   * Everything below this offset landed before this batch: the partition's position while
   * this batch is pending (committed with its pending mark). Once it lands: `lastOffset + 1`.
   */
  readonly commitFrom: bigint;
  readonly deduplicationToken: string;
  /** For logs: topic[partition]@first-last. */
  readonly range: string;
  /**
   * Set when this batch re-formed a recorded pending range but came out different (part of
   * it vanished from Kafka): it must not be inserted blindly under a new token
   * (reformed-range.ts, sink/skip-landed-rows.ts).
   */
  readonly reformed?: ReformedRange;
  /**
   * Set on a batch inside a pending range an earlier owner recorded (re-formed after a crash
   * or rebalance): its first insert may have landed long ago, beyond ClickHouse's
   * deduplication window, and its dead letters may be written already (`deadLetters: done`).
   */
  readonly recorded?: PendingRange;
}

export function sealBatch(init: Omit<SealedBatch, 'deduplicationToken' | 'range'>): SealedBatch {
  const { topic, partition, firstOffset, lastOffset } = init;
  return Object.freeze({
    ...init,
    deduplicationToken: deduplicationToken(topic, partition, firstOffset, lastOffset),
    range: `${topic}[${partition}]@${firstOffset}-${lastOffset}`,
  });
}

/** `namespace` undefined: the v1 token, as versions before token-namespace.ts made it. */
export function deduplicationToken(
  topic: string,
  partition: number,
  first: bigint,
  last: bigint,
  namespace?: string,
): string {
  const range = `${topic}:${partition}:${first}-${last}`;
  return namespace === undefined ? range : `${namespace}/${range}`;
}

/** The same batch under another identity (its token namespace, or a re-formed range's). */
export function withIdentity(
  batch: SealedBatch,
  token: string,
  reformed?: ReformedRange,
  recorded?: PendingRange,
): SealedBatch {
  return Object.freeze({
    ...batch,
    deduplicationToken: token,
    ...(reformed === undefined ? {} : { reformed }),
    ...(recorded === undefined ? {} : { recorded }),
  });
}
