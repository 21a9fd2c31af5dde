import type { PendingRange } from '../commit/pending-range.ts';
import type { BufferBudget } from './buffer-budget.ts';
import type { BatchLimits } from './open-batch.ts';
import type { ReformedCase } from './reformed-range.ts';

/** Before a message is decoded: `take` it, `skip` it (taken before) or `refuse` it for now. */
export type Admission = 'take' | 'skip' | 'refuse';

/** Where a partition's batching starts in this group generation (its committed position). */
export interface BatcherStart {
  readonly topic: string;
  readonly partition: number;
  /** The committed offset: everything below it landed. */
  readonly offset: bigint;
  /** The range an earlier owner recorded as pending there: it is re-formed exactly. */
  readonly recorded?: PendingRange | undefined;
  /** The token namespace of the ranges formed here (undefined: v1 tokens). */
  readonly namespace?: string | undefined;
  /** The log end at join: a recorded range reaching it can no longer complete. */
  readonly logEnd?: bigint | undefined;
}

export interface BatcherDependencies {
  readonly limits: BatchLimits;
  /** The worker's memory budget, shared by its partitions (INGEST_MAX_BUFFERED_BYTES). */
  readonly budget: BufferBudget;
  readonly now: () => number;
  /** A re-formed pending range came out different from its record (reformed-range.ts). */
  readonly reportReformed?: (reformedCase: ReformedCase) => void;
}
