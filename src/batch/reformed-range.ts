import type { PendingRange } from '../commit/pending-range.ts';
import { deduplicationToken, withIdentity, type SealedBatch } from './sealed-batch.ts';

/**
 * How a re-formed range compares with the pending range recorded before a crash:
 * - same first and last offset: the recorded token, as before. Offsets missing in between
 *   (compacted away since) do not matter: if the first insert landed, ClickHouse drops the
 *   repeat by token and what landed stays; if not, the survivors land under it now;
 * - `head_vanished`: the range's first offsets were deleted (retention, DeleteRecords)
 *   before it was re-read;
 * - `tail_vanished`: its last offset no longer exists (compaction) and the next message is
 *   past the recorded end, or the log now ends before it (truncated);
 * - `head_and_tail_vanished`: both;
 * - `range_vanished`: none of its offsets is left (nothing to re-form; counted only).
 * In the three partial cases a new token could let a repeat through (the first insert may
 * have landed under the recorded token), and the recorded token could drop rows that never
 * landed; so the batch is marked and, before inserting, ClickHouse is asked which of its
 * (_offset, uuid) already landed; only the others are inserted, under a token derived from
 * the recorded one and what remains (sink/skip-landed-rows.ts).
 */
export type ReformedCase =
  'head_vanished' | 'tail_vanished' | 'head_and_tail_vanished' | 'range_vanished';

export const REFORMED_CASES: readonly ReformedCase[] = [
  'head_vanished',
  'tail_vanished',
  'head_and_tail_vanished',
  'range_vanished',
];

export interface ReformedRange {
  readonly case: ReformedCase;
  readonly recorded: PendingRange;
  readonly recordedToken: string;
}

export function compareWithRecorded(
  recorded: PendingRange,
  first: bigint,
  last: bigint,
): ReformedCase | undefined {
  const head = first !== recorded.first;
  const tail = last !== recorded.last;
  if (head && tail) return 'head_and_tail_vanished';
  if (head) return 'head_vanished';
  if (tail) return 'tail_vanished';
  return undefined;
}

/** A sealed re-formed batch under the recorded range's identity (namespace included). */
export function asRecorded(batch: SealedBatch, recorded: PendingRange): SealedBatch {
  const { topic, partition } = batch;
  const recordedToken = deduplicationToken(
    topic,
    partition,
    recorded.first,
    recorded.last,
    recorded.namespace,
  );
  const found = compareWithRecorded(recorded, batch.firstOffset, batch.lastOffset);
  return withIdentity(
    batch,
    recordedToken,
    found === undefined ? undefined : { case: found, recorded, recordedToken },
    recorded,
  );
}

/**
 * A sealed batch's identity: inside a recorded range, the recorded range's (checked against
 * ClickHouse before inserting); otherwise its own range in the partition's token namespace
 * (undefined: the v1 token it was sealed with).
 */
export function identifySealed(
  sealed: SealedBatch,
  recorded: PendingRange | undefined,
  namespace: string | undefined,
): SealedBatch {
  // After a re-formed range ended early, later batches still inside the recorded range may
  // hold rows its first insert landed: they are checked against ClickHouse too.
  if (recorded !== undefined && sealed.firstOffset <= recorded.last)
    return asRecorded(sealed, recorded);
  if (namespace === undefined) return sealed;
  const { topic, partition, firstOffset, lastOffset } = sealed;
  return withIdentity(
    sealed,
    deduplicationToken(topic, partition, firstOffset, lastOffset, namespace),
  );
}
