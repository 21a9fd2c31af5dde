import type { SealedBatch } from '../batch/sealed-batch.ts';

/**
 * What a delivery reports as it goes, for logs and metrics (observe/pipeline-events.ts). Only
 * reports: nothing here steers the delivery.
 */
export interface DeliveryEvents {
  /** An insert attempt failed and the same batch is retried after `delayMs`. */
  insertRetried(batch: SealedBatch, err: unknown, attempt: number, delayMs: number): void;
  /** A recorded range was re-formed and ClickHouse asked: `skipped` of its rows landed already. */
  recordedRangeChecked(batch: SealedBatch, skipped: number, queryMs: number): void;
  /** A re-formed range that differs from its record is about to land without `skipped` rows. */
  reformedLanding(batch: SealedBatch, skipped: number): void;
  /** An insert failed as data after writing `landed` of its `of` rows (land-rows.ts). */
  landedDespiteError(batch: SealedBatch, err: unknown, landed: number, of: number): void;
  /** Reading refused rows' messages again from Kafka failed; retried after `delayMs`. */
  originalsReadRetried(batch: SealedBatch, err: unknown, attempt: number, delayMs: number): void;
  /** Refused rows whose messages were no longer in Kafka: their dead letters carry the rows. */
  originalsGone(batch: SealedBatch, offsets: readonly string[]): void;
  /**
   * The batch's rows are in ClickHouse and its dead letters in the DLQ (`refused` of its rows
   * were refused by ClickHouse); commit comes next.
   */
  landed(batch: SealedBatch, refused: number, insertMs: number): void;
}
