import type { Consumer } from 'kafkajs';
import type { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { REFORMED_CASES, type ReformedCase } from '../batch/reformed-range.ts';
import type { RejectedMessage, SealedBatch } from '../batch/sealed-batch.ts';
import { CODEC_NAMES, type FetchedCodec } from '../consume/compression/record-codec.ts';
import type { ResetReason } from '../consume/start-position.ts';
import { DEAD_LETTER_REASONS } from '../decode/outcome.ts';
import { ConsumerActivity } from './consumer-activity.ts';
import type { IngestMetrics, WorkerRuntimeState } from './ingest-metrics.ts';
import { METRICS } from './metric-names.ts';
import { counterOf, gaugeOf, histogramOf } from './prom.ts';

/**
 * The pipeline's metrics in Prometheus (see metric-names.ts for the list). Counters and
 * histograms move once per fetched or landed batch; buffer gauges are read from the
 * worker at scrape time, so they cost nothing in between.
 */
export class WorkerMetrics implements IngestMetrics {
  /** The consumer's group phase and loop activity, shared with /readyz. */
  readonly activity: ConsumerActivity;
  readonly #table: string;
  readonly #consumed: Counter;
  readonly #rebalances: Counter;
  readonly #batchRows: Histogram;
  readonly #batchBytes: Histogram;
  readonly #batchAge: Histogram;
  readonly #insertDuration: Histogram;
  readonly #insertRetries: Counter;
  readonly #registryErrors: Counter;
  readonly #rowsInserted: Counter;
  readonly #bytesInserted: Counter;
  readonly #commitDuration: Histogram;
  readonly #deadLetters: Counter;
  readonly #dlqWriteFailures: Counter;
  readonly #decompressErrors: Counter;
  readonly #reformedRanges: Counter;
  readonly #offsetResets: Counter;
  #state: () => WorkerRuntimeState | undefined = () => undefined;

  constructor(registry: Registry, options: { table: string; now?: () => number }) {
    const now = options.now ?? Date.now;
    this.#table = options.table;
    this.#consumed = counterOf(registry, METRICS.messagesConsumed);
    this.#rebalances = counterOf(registry, METRICS.rebalances);
    this.#batchRows = histogramOf(registry, METRICS.batchRows);
    this.#batchBytes = histogramOf(registry, METRICS.batchBytes);
    this.#batchAge = histogramOf(registry, METRICS.batchAge);
    this.#insertDuration = histogramOf(registry, METRICS.insertDuration);
    this.#insertRetries = counterOf(registry, METRICS.insertRetries);
    this.#registryErrors = counterOf(registry, METRICS.schemaRegistryErrors);
    this.#rowsInserted = counterOf(registry, METRICS.rowsInserted);
    this.#bytesInserted = counterOf(registry, METRICS.bytesInserted);
    this.#commitDuration = histogramOf(registry, METRICS.commitDuration);
    this.#deadLetters = counterOf(registry, METRICS.deadLetters);
    this.#dlqWriteFailures = counterOf(registry, METRICS.dlqWriteFailures);
    this.#decompressErrors = counterOf(registry, METRICS.fetchDecompressErrors);
    this.#reformedRanges = counterOf(registry, METRICS.reformedRanges);
    this.#offsetResets = counterOf(registry, METRICS.offsetResets);
    for (const c of REFORMED_CASES) this.#reformedRanges.inc({ case: c }, 0);

    // Known label values start at 0, so rate() and alerts see a series before the first event.
    this.#rowsInserted.inc({ table: this.#table }, 0);
    this.#bytesInserted.inc({ table: this.#table }, 0);
    for (const outcome of ['success', 'failure']) this.#insertDuration.zero({ outcome });
    for (const codec of [...CODEC_NAMES, 'unknown']) this.#decompressErrors.inc({ codec }, 0);
    for (const reason of DEAD_LETTER_REASONS) {
      this.#deadLetters.inc(
        { reason, stage: reason === 'rejected_by_clickhouse' ? 'sink' : 'decode' },
        0,
      );
    }

    const assigned: Gauge = gaugeOf(registry, METRICS.assignedPartitions);
    this.activity = new ConsumerActivity({
      now,
      onJoin: (assignment) => {
        this.#rebalances.inc();
        assigned.reset();
        for (const [topic, partitions] of Object.entries(assignment)) {
          assigned.set({ topic }, partitions.length);
        }
      },
    });
    const read =
      (pick: (s: WorkerRuntimeState) => number): (() => number) =>
      () => {
        const state = this.#state();
        return state === undefined ? 0 : pick(state);
      };
    gaugeOf(
      registry,
      METRICS.pausedPartitions,
      read((s) => s.pausedPartitions),
    );
    gaugeOf(
      registry,
      METRICS.insertsInFlight,
      read((s) => s.insertsInFlight),
    );
    gaugeOf(
      registry,
      METRICS.bufferedBytes,
      read((s) => s.bufferedBytes),
    );
    gaugeOf(
      registry,
      METRICS.oldestUnflushedAge,
      read((s) =>
        s.oldestUnflushedAtMs === undefined ? 0 : Math.max(0, now() - s.oldestUnflushedAtMs) / 1000,
      ),
    );
    // Before the worker is observed nothing was written yet: writable until a write fails.
    gaugeOf(registry, METRICS.dlqWritable, () => (this.#state()?.dlq.writable === false ? 0 : 1));
  }

  /** Where the scrape-time gauges read the worker's buffers from. */
  observeWorker(state: () => WorkerRuntimeState): void {
    this.#state = state;
  }

  watchConsumer(consumer: Pick<Consumer, 'on' | 'events'>): void {
    this.activity.watch(consumer);
  }

  consumed(topic: string, messages: number): void {
    if (messages > 0) this.#consumed.inc({ topic }, messages);
  }

  async timeInsert<T>(attempt: () => Promise<T>): Promise<T> {
    const end = this.#insertDuration.startTimer();
    try {
      const result = await attempt();
      end({ outcome: 'success' });
      return result;
    } catch (err) {
      end({ outcome: 'failure' });
      throw err;
    }
  }

  insertRetried(errorClass: string): void {
    this.#insertRetries.inc({ error_class: errorClass });
  }

  schemaRegistryFailed(error: string): void {
    this.#registryErrors.inc({ error });
  }

  landed(batch: SealedBatch, rowsInserted: number, nowMs: number): void {
    const table = this.#table;
    this.#rowsInserted.inc({ table }, rowsInserted);
    this.#bytesInserted.inc({ table }, batch.bytes);
    this.#batchRows.observe(batch.rows.length);
    this.#batchBytes.observe(batch.bytes);
    this.#batchAge.observe(Math.max(0, nowMs - batch.startedAt) / 1000);
  }

  committed(durationMs: number): void {
    this.#commitDuration.observe(durationMs / 1000);
  }

  deadLetterWriteFailed(error: string): void {
    this.#dlqWriteFailures.inc({ error });
  }

  /** A fetched batch failed to decompress (fed by consume/compression, see main.ts). */
  decompressFailed(codec: FetchedCodec): void {
    this.#decompressErrors.inc({ codec });
  }

  deadLettersWritten(letters: readonly RejectedMessage[]): void {
    if (letters.length === 0) return;
    // Few per batch; group them so each label set is touched once.
    const counts = new Map<string, number>();
    for (const { deadLetter } of letters) {
      const key = `${deadLetter.reason}\u0000${deadLetter.stage}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    for (const [key, n] of counts) {
      const [reason = '', stage = ''] = key.split('\u0000');
      this.#deadLetters.inc({ reason, stage }, n);
    }
  }

  reformedRange(reformedCase: ReformedCase): void {
    this.#reformedRanges.inc({ case: reformedCase });
  }

  offsetReset(topic: string, reason: ResetReason, skippedData: boolean): void {
    this.#offsetResets.inc({ topic, reason, skipped_data: String(skippedData) });
  }
}
