import type { RefusedRow, RejectedMessage, SealedBatch } from '../batch/sealed-batch.ts';
import type { MessagesRead } from '../consume/read-messages-at.ts';
import type { RetryPolicy } from '../retry/retry-policy.ts';
import type { DeliveryEvents } from './delivery-events.ts';
import type { PartitionOwner } from './partition-owner.ts';

export interface RecoverOriginalsDependencies {
  /** Copies of the messages still at these offsets (consume/read-messages-at.ts). */
  readonly readMessagesAt: (
    topic: string,
    partition: number,
    offsets: readonly string[],
    signal: AbortSignal,
  ) => Promise<MessagesRead>;
  /** A row as a one-row insert body in the inserts' format (serialise/row-format.ts). */
  readonly rowBody: (row: Buffer) => { readonly format: string; readonly body: Buffer };
  readonly retry: RetryPolicy;
  readonly events: Pick<DeliveryEvents, 'originalsReadRetried' | 'originalsGone'>;
}

/**
 * Offsets a read passed over (its position jumped, or a compaction gap) are read again, in
 * up to this many passes in all; still not seen then, they count as gone (a gap compaction
 * made stays), rather than stall the partition.
 */
export const MAX_READ_PASSES = 3;

/**
 * The dead letters of the rows ClickHouse refused, each carrying its original message: the
 * batch keeps rows only (batch/row-lines.ts), so the messages are read again from Kafka, all
 * of a batch's in one pass (offsets it passed over get up to MAX_READ_PASSES). A read that
 * fails (Kafka away, a timeout) is retried until it succeeds or the partition is lost, as
 * the dead-letter write after it would be. A message no longer in Kafka (retention or
 * DeleteRecords passed it meanwhile; compaction) still gets its dead letter: the row as the
 * insert carried it, a one-row body in the format the `hanzo.dlq.row_format` header names,
 * nothing dropped.
 */
export async function recoverOriginals(
  owner: PartitionOwner,
  batch: SealedBatch,
  refused: readonly RefusedRow[],
  deps: RecoverOriginalsDependencies,
): Promise<RejectedMessage[]> {
  if (refused.length === 0) return [];
  const { topic, partition, signal } = owner;
  const readOnce = (offsets: readonly string[]): Promise<MessagesRead> =>
    deps.retry.run(() => deps.readMessagesAt(topic, partition, offsets, signal), {
      signal,
      onRetry: (err, attempt, delayMs) =>
        deps.events.originalsReadRetried(batch, err, attempt, delayMs),
    });
  let read = await readOnce(refused.map((r) => r.offset));
  const found = new Map(read.found);
  for (let pass = 2; pass <= MAX_READ_PASSES && read.passedOver.length > 0; pass++) {
    read = await readOnce(read.passedOver);
    for (const [offset, message] of read.found) found.set(offset, message);
  }
  const letters = refused.map(({ offset, row, deadLetter }): RejectedMessage => {
    const source = found.get(offset);
    if (source !== undefined) return { source, deadLetter };
    const { format, body } = deps.rowBody(row);
    return {
      source: { topic, partition, offset, key: null, value: body, headers: {}, timestampMs: 0 },
      deadLetter,
      rowFormat: format,
    };
  });
  const gone = letters.filter((l) => l.rowFormat !== undefined).map((l) => l.source.offset);
  if (gone.length > 0) deps.events.originalsGone(batch, gone);
  return letters;
}
