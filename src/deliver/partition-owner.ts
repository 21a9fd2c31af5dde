/**
 * Who delivers a partition's batches: this member, for one group generation. Every step that
 * writes (a commit, an insert, a DLQ transaction) asks `stillOwned()` first; `signal` aborts
 * whatever is in flight once the generation ends.
 */
export interface PartitionOwner {
  readonly topic: string;
  readonly partition: number;
  /** The token namespace of this partition's ranges (undefined: v1 tokens and marks). */
  readonly namespace: string | undefined;
  readonly signal: AbortSignal;
  stillOwned(): boolean;
}
