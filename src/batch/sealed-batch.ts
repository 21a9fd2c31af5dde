import type { DeadLetter } from '../decode/outcome.ts';
import type { SourceMessage } from './source-message.ts';

export interface RejectedMessage {
  readonly source: SourceMessage;
  readonly deadLetter: DeadLetter;
}

export interface SealedBatchInit {
  readonly topic: string;
  readonly partition: number;
  readonly firstOffset: bigint;
  readonly lastOffset: bigint;
  readonly rows: readonly string[];
  readonly rowSources: readonly SourceMessage[];
  readonly rejected: readonly RejectedMessage[];
  readonly bytes: number;
  readonly memoryBytes: number;
  readonly startedAt: number;
}

/**
 * A closed, contiguous offset range [firstOffset, lastOffset] of one partition. Its
 * deduplication token names exactly that range, so re-forming the same range after a
 * crash or rebalance produces the same token and ClickHouse drops the repeat.
 */
export class SealedBatch implements SealedBatchInit {
  readonly topic: string;
  readonly partition: number;
  readonly firstOffset: bigint;
  readonly lastOffset: bigint;
  readonly rows: readonly string[];
  readonly rowSources: readonly SourceMessage[];
  readonly rejected: readonly RejectedMessage[];
  readonly bytes: number;
  readonly memoryBytes: number;
  readonly startedAt: number;

  constructor(init: SealedBatchInit) {
    this.topic = init.topic;
    this.partition = init.partition;
    this.firstOffset = init.firstOffset;
    this.lastOffset = init.lastOffset;
    this.rows = init.rows;
    this.rowSources = init.rowSources;
    this.rejected = init.rejected;
    this.bytes = init.bytes;
    this.memoryBytes = init.memoryBytes;
    this.startedAt = init.startedAt;
  }

  get deduplicationToken(): string {
    return deduplicationToken(this.topic, this.partition, this.firstOffset, this.lastOffset);
  }

  /** The offset to commit once this batch has landed. */
  get nextOffset(): bigint {
    return this.lastOffset + 1n;
  }

  get range(): string {
    return `${this.topic}[${this.partition}]@${this.firstOffset}-${this.lastOffset}`;
  }
}

export function deduplicationToken(
  topic: string,
  partition: number,
  first: bigint,
  last: bigint,
): string {
  return `${topic}:${partition}:${first}-${last}`;
}
