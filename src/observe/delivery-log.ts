import type { SealedBatch } from '../batch/sealed-batch.ts';
import type { DeliveryEvents } from '../deliver/delivery-events.ts';
import { errorMessage } from '../errors.ts';
import { classifyInsertError, insertErrorLabel } from '../sink/classify-insert-error.ts';
import type { IngestMetrics } from './ingest-metrics.ts';
import type { Logger } from '../log/logger.ts';

/** A log line names at most this many offsets (the dead letters name each). */
const MAX_LOGGED_OFFSETS = 20;

const partitionOf = (batch: SealedBatch): string => `${batch.topic}[${batch.partition}]`;

/** Deliveries as logs and metrics: each event counted once, in Prometheus. */
export function deliveryEvents(logger: Logger, metrics: IngestMetrics): DeliveryEvents {
  const log = logger.child({ component: 'delivery' });
  return {
    insertRetried(batch: SealedBatch, err: unknown, attempt: number, delayMs: number): void {
      const errorClass = insertErrorLabel(err);
      const failure = classifyInsertError(err);
      metrics.insertRetried(errorClass);
      const fields = {
        partition: partitionOf(batch),
        batch: batch.range,
        error: errorClass,
        failure,
        message: errorMessage(err),
        attempt,
        retryInMs: Math.round(delayMs),
      };
      // A configuration failure (missing table, grants, password) needs a person; the batch
      // waits for the fix and lands then.
      if (failure === 'configuration')
        log.error(fields, 'insert refused until ClickHouse is fixed; retrying the same batch');
      else log.warn(fields, 'insert failed; retrying the same batch');
    },
    recordedRangeChecked(batch: SealedBatch, skipped: number, queryMs: number): void {
      log.info(
        {
          batch: batch.range,
          deadLetters: batch.recorded?.deadLetters,
          alreadyLanded: skipped,
          of: batch.rows.length,
          queryMs: Math.round(queryMs),
        },
        're-formed range checked against the table (its first insert may be out of the deduplication window)',
      );
    },
    reformedLanding(batch: SealedBatch, skipped: number): void {
      log.warn(
        {
          batch: batch.range,
          recorded: batch.reformed?.recordedToken,
          case: batch.reformed?.case,
          alreadyLanded: skipped,
          toInsert: batch.rows.length - skipped,
        },
        're-formed range differs from its record: rows already in ClickHouse are skipped',
      );
    },
    landedDespiteError(batch: SealedBatch, err: unknown, landed: number, of: number): void {
      log.warn(
        {
          partition: partitionOf(batch),
          batch: batch.range,
          landed,
          of,
          message: errorMessage(err),
        },
        'insert failed as data after writing the block (a materialized view refused a row?): rows in the table count as landed',
      );
    },
    originalsReadRetried(batch: SealedBatch, err: unknown, attempt: number, delayMs: number): void {
      log.warn(
        {
          partition: partitionOf(batch),
          batch: batch.range,
          message: errorMessage(err),
          attempt,
          retryInMs: Math.round(delayMs),
        },
        'reading the messages of rows ClickHouse refused again from Kafka failed; retrying',
      );
    },
    originalsGone(batch: SealedBatch, offsets: readonly string[]): void {
      log.warn(
        {
          partition: partitionOf(batch),
          batch: batch.range,
          count: offsets.length,
          offsets: offsets.slice(0, MAX_LOGGED_OFFSETS),
        },
        'messages of rows ClickHouse refused are no longer in Kafka: their dead letters carry the rows as inserted (hanzo.dlq.row_format)',
      );
    },
    landed(batch: SealedBatch, refused: number, insertMs: number): void {
      metrics.landed(batch, batch.rows.length - refused, Date.now());
      log.debug(
        {
          batch: batch.range,
          rows: batch.rows.length,
          deadLetters: batch.rejected.length + refused,
          insertMs: Math.round(insertMs),
        },
        'batch landed',
      );
    },
  };
}
