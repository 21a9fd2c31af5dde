import type { Consumer } from 'kafkajs';
import type { ReformedCase } from '../batch/reformed-range.ts';
import type { RejectedMessage, SealedBatch } from '../batch/sealed-batch.ts';
import type { DlqWritabilityState } from '../dlq/dlq-writability.ts';
import type { ResetReason } from '../consume/start-position.ts';

/**
 * What the pipeline reports while it runs. The worker receives one through its parts;
 * WorkerMetrics (worker-metrics.ts) records it in Prometheus. Calls are per fetched batch
 * or per landed batch, never per message, so the hot path stays cheap.
 */
export interface IngestMetrics {
  /** Follows the consumer's group events (joins, assignment, fetch activity). */
  watchConsumer(consumer: Pick<Consumer, 'on' | 'events'>): void;
  /** `messages` of a fetched batch entered the pipeline. */
  consumed(topic: string, messages: number): void;
  /** Times one insert attempt and counts it by outcome. */
  timeInsert<T>(attempt: () => Promise<T>): Promise<T>;
  /** An insert attempt failed and will be retried. */
  insertRetried(errorClass: string): void;
  /** A schema registry lookup failed (`error`: its kind) and will be retried. */
  schemaRegistryFailed(error: string): void;
  /** A batch landed: `rowsInserted` of its rows were acknowledged by ClickHouse. */
  landed(batch: SealedBatch, rowsInserted: number, nowMs: number): void;
  /** One offset commit succeeded after `durationMs`. */
  committed(durationMs: number): void;
  /** These dead letters were acknowledged by the DLQ topic. */
  deadLettersWritten(letters: readonly RejectedMessage[]): void;
  /** A write to the DLQ topic failed with the broker's `error` (it is retried). */
  deadLetterWriteFailed(error: string): void;
  /** A re-formed pending range differed from its record (batch/reformed-range.ts). */
  reformedRange(reformedCase: ReformedCase): void;
  /** A committed offset was out of range and reset (consume/start-position.ts). */
  offsetReset(topic: string, reason: ResetReason, skippedData: boolean): void;
}

/** Records nothing: tools and tests that run a worker without a metrics endpoint. */
export const ignoreIngestMetrics: IngestMetrics = {
  watchConsumer: () => {},
  consumed: () => {},
  timeInsert: (attempt) => attempt(),
  insertRetried: () => {},
  schemaRegistryFailed: () => {},
  landed: () => {},
  committed: () => {},
  deadLettersWritten: () => {},
  deadLetterWriteFailed: () => {},
  reformedRange: () => {},
  offsetReset: () => {},
};

/** What a running worker holds right now; read at scrape time and by /readyz. */
export interface WorkerRuntimeState {
  /** Started and not stopping. */
  readonly running: boolean;
  /** Draining after SIGTERM/SIGINT (or stopped). */
  readonly stopping: boolean;
  readonly pausedPartitions: number;
  readonly insertsInFlight: number;
  readonly bufferedBytes: number;
  /** When the oldest message not yet landed entered the worker (ms), if any. */
  readonly oldestUnflushedAtMs: number | undefined;
  /** Whether dead letters can be written now (partitions with dead letters wait while not). */
  readonly dlq: DlqWritabilityState;
}
