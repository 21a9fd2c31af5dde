import type { DeadLetter } from '../decode/outcome.ts';
import type { SourceMessage } from './source-message.ts';

export interface RejectedMessage {
  readonly source: SourceMessage;
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
  readonly rows: readonly string[];
  readonly rowSources: readonly SourceMessage[];
  /** Each row's ClickHouse partition (month), for splitting blocks that span too many. */
  readonly rowPartitionKeys: readonly string[];
  readonly rejected: readonly RejectedMessage[];
  readonly bytes: number;
  readonly memoryBytes: number;
  readonly startedAt: number;
  readonly deduplicationToken: string;
  /** For logs: topic[partition]@first-last. */
  readonly range: string;
}

export function sealBatch(init: Omit<SealedBatch, 'deduplicationToken' | 'range'>): SealedBatch {
  const { topic, partition, firstOffset, lastOffset } = init;
  return Object.freeze({
    ...init,
    deduplicationToken: deduplicationToken(topic, partition, firstOffset, lastOffset),
    range: `${topic}[${partition}]@${firstOffset}-${lastOffset}`,
  });
}

export function deduplicationToken(
  topic: string,
  partition: number,
  first: bigint,
  last: bigint,
): string {
  return `${topic}:${partition}:${first}-${last}`;
}
