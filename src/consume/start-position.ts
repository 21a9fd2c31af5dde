import type { CommitMark, PendingRange } from '../commit/pending-range.ts';

/** KAFKA_OFFSET_OUT_OF_RANGE: where a partition restarts when its committed offset is gone. */
export type OutOfRangePolicy = 'earliest' | 'latest';

/** The partition's log as the broker reports it: first readable offset and log end. */
export interface LogBounds {
  readonly low: bigint;
  readonly high: bigint;
}

export type ResetReason = 'below_log_start' | 'beyond_log_end';

export interface OffsetReset {
  readonly reason: ResetReason;
  readonly from: bigint;
  readonly to: bigint;
  /** Offsets that were readable (or were committed as unread) and will never be read. */
  readonly skipped: bigint;
}

/** Where a partition's pipeline starts in a new group generation, decided before it is fetched. */
export interface StartPosition {
  /** The committed offset, or where a reset moved it; undefined: the group never committed. */
  readonly offset: bigint | undefined;
  readonly pending: PendingRange | undefined;
  /** The partition's recorded token namespace; undefined: a new life begins (token-namespace.ts). */
  readonly namespace: string | undefined;
  /** Set when the committed offset was out of range: the worker seeks to `to`. */
  readonly reset: OffsetReset | undefined;
  /** The log end when this was decided. */
  readonly logEnd?: bigint;
}

/**
 * The committed offset against the log:
 * - within [low, high]: start there, with what the metadata recorded;
 * - below the log start (retention, DeleteRecords): `earliest` restarts at the log start,
 *   `latest` at the log end. A recorded pending range that still reaches past the restart is
 *   kept: the batcher re-forms what is left of it (batch/partition-batcher.ts). Offsets below the restart
 *   outside that range were never read: they are skipped;
 * - beyond the log end (topic re-created, log truncated, offsets set past the end):
 *   `earliest` reads the whole log, `latest` waits for new messages (skipping what the log
 *   holds). Nothing recorded applies to this log any more, so a new life begins.
 * kafkajs would reset on its own (to `fromBeginning`'s choice, overwriting the metadata and
 * with no more than a log line); deciding here keeps the range and makes a skip visible.
 */
export function decideStart(
  committed: bigint | undefined,
  mark: CommitMark,
  log: LogBounds,
  policy: OutOfRangePolicy,
): StartPosition {
  if (committed === undefined)
    return { offset: undefined, pending: undefined, namespace: undefined, reset: undefined };
  const to = policy === 'earliest' ? log.low : log.high;
  if (committed < log.low) {
    const pending =
      mark.pending !== undefined && mark.pending.last >= to ? mark.pending : undefined;
    // Offsets of the recorded range were read once; whether they landed is checked when the
    // rest of the range is re-formed. Only what nobody ever read is a skip.
    const readUpTo = mark.pending === undefined ? committed : mark.pending.last + 1n;
    const skipped = to > readUpTo ? to - readUpTo : 0n;
    return {
      offset: to,
      pending,
      namespace: mark.namespace,
      reset: { reason: 'below_log_start', from: committed, to, skipped },
      logEnd: log.high,
    };
  }
  if (committed > log.high) {
    return {
      offset: to,
      pending: undefined,
      namespace: undefined,
      reset: { reason: 'beyond_log_end', from: committed, to, skipped: to - log.low },
    };
  }
  return {
    offset: committed,
    pending: mark.pending,
    namespace: mark.namespace,
    reset: undefined,
    logEnd: log.high,
  };
}
