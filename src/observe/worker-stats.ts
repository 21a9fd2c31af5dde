import type { RejectedMessage, SealedBatch } from '../batch/sealed-batch.ts';
import type { DeadLetterReason } from '../decode/outcome.ts';

/** Running totals of one worker process, for logs, the demo and tests. */
export class WorkerStats {
  messagesConsumed = 0;
  rowsInserted = 0;
  bytesInserted = 0;
  batchesCommitted = 0;
  insertRetries = 0;
  rebalances = 0;
  readonly deadLetters = new Map<DeadLetterReason, number>();

  /** A batch landed; `rejected` holds its dead letters, decode's and ClickHouse's. */
  recordLanded(batch: SealedBatch, rejected: readonly RejectedMessage[]): void {
    const refusedBySink = rejected.length - batch.rejected.length;
    this.rowsInserted += batch.rows.length - refusedBySink;
    this.bytesInserted += batch.bytes;
    for (const r of rejected) this.countDeadLetter(r.deadLetter.reason);
  }

  countDeadLetter(reason: DeadLetterReason): void {
    this.deadLetters.set(reason, (this.deadLetters.get(reason) ?? 0) + 1);
  }

  get deadLetterTotal(): number {
    let total = 0;
    for (const n of this.deadLetters.values()) total += n;
    return total;
  }

  snapshot(): Record<string, unknown> {
    return {
      messagesConsumed: this.messagesConsumed,
      rowsInserted: this.rowsInserted,
      bytesInserted: this.bytesInserted,
      batchesCommitted: this.batchesCommitted,
      insertRetries: this.insertRetries,
      rebalances: this.rebalances,
      deadLetters: Object.fromEntries(this.deadLetters),
    };
  }
}
