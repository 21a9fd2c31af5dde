import type { ClickHouseClient } from '@clickhouse/client';
import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../config/schema.ts';
import { createGroupClients } from '../consume/create-group-clients.ts';
import { PartitionPauser } from '../consume/partition-pauser.ts';
import type { EnrichStage } from '../enrich/enrich-stage.ts';
import { consumeEvents, type ConsumeEvents } from '../observe/consume-log.ts';
import {
  ignoreIngestMetrics,
  type IngestMetrics,
  type WorkerRuntimeState,
} from '../observe/ingest-metrics.ts';
import type { Logger } from '../log/logger.ts';
import type { WiredPipeline } from '../pipeline/wire-pipeline.ts';
import { assemblePipelines } from './assemble-pipelines.ts';
import { consumeFetchedBatch } from './consume-fetched-batch.ts';
import { preflight } from './preflight.ts';
import { joinGeneration } from './join-generation.ts';
import { runtimeStateOf } from './runtime-state.ts';
import { shutDown } from './shut-down.ts';
import type { PartitionPipelines } from './partition-pipelines.ts';

export interface WorkerParts {
  readonly kafka: Kafka;
  readonly clickhouse: ClickHouseClient;
  readonly logger: Logger;
  readonly enrich?: EnrichStage;
  /** Prometheus metrics (observe/worker-metrics.ts); nothing is recorded without. */
  readonly metrics?: IngestMetrics;
}

/** How often pipelines are polled: batches sealed by age, paused partitions resumed. */
const POLL_MS = 100;

/**
 * The kafkajs side of the worker: joins the group, gives every assigned partition a pipeline
 * per group generation (partition-pipelines.ts), submits fetched batches to it
 * (consume-fetched-batch.ts), pauses a partition whose pipeline refuses and resumes it once it
 * accepts again. Consumption never blocks on ClickHouse, so heartbeats keep flowing and
 * memory stays bounded. What a message goes through is in pipeline/partition-pipeline.ts.
 */
export class IngestWorker {
  readonly #config: Readonly<Config>;
  readonly #log: Logger;
  readonly #consumer: Consumer;
  readonly #admin: Admin;
  readonly #clickhouse: ClickHouseClient;
  readonly #pauser: PartitionPauser;
  readonly #metrics: IngestMetrics;
  readonly #events: ConsumeEvents;
  readonly #wired: WiredPipeline;
  readonly #pipelines: PartitionPipelines;
  #running = false;
  #poller: NodeJS.Timeout | undefined;
  #stopping: Promise<void> | undefined;
  #starting: Promise<void> | undefined;
  #failure: ((err: unknown) => void) | undefined;
  /** Namespace of deduplication tokens, known once connected (token-namespace.ts). */
  #pipelineId: string | undefined;

  constructor(config: Readonly<Config>, parts: WorkerParts) {
    this.#config = config;
    this.#log = parts.logger.child({ component: 'worker' });
    this.#clickhouse = parts.clickhouse;
    this.#metrics = parts.metrics ?? ignoreIngestMetrics;
    const { kafka: k } = config;
    this.#events = consumeEvents(this.#log, this.#metrics, k.offsetOutOfRange);
    const clients = createGroupClients(parts.kafka, k, {
      mayRestart: () => this.#stopping === undefined,
    });
    this.#consumer = clients.consumer;
    this.#admin = clients.admin;
    this.#pauser = new PartitionPauser(this.#consumer);
    ({ wired: this.#wired, pipelines: this.#pipelines } = assemblePipelines(config, {
      ...parts,
      consumer: this.#consumer,
      admin: this.#admin,
      events: this.#events,
      metrics: this.#metrics,
      pipelineId: () => this.#pipelineId,
    }));
  }

  /** Connects, joins the group and starts consuming. Resolves once running. */
  start(): Promise<void> {
    this.#starting ??= this.#connectAndRun();
    return this.#starting;
  }

  async #connectAndRun(): Promise<void> {
    const { kafka } = this.#config;
    const checked = await preflight(this.#config, this.#admin, this.#clickhouse, this.#log);
    this.#pipelineId = checked.pipelineId;
    this.#wired.deadLetters.useMessageLimit(checked.dlqMessageLimit);
    this.#wired.rowFormats.use(checked.rowFormat);
    const { GROUP_JOIN, CRASH, END_BATCH_PROCESS } = this.#consumer.events;
    this.#consumer.on(GROUP_JOIN, (event) => this.#onGroupJoin(event.payload.memberAssignment));
    // A fetch of only transaction markers and aborted records never reaches eachBatch:
    // kafkajs reports it here, and the partition's position moves past it once idle.
    this.#consumer.on(END_BATCH_PROCESS, ({ payload }) => this.#onRecordsOnly(payload));
    this.#consumer.on(CRASH, ({ payload: { error, restart } }) => {
      this.#log.error({ err: error, restart }, 'consumer crashed');
      // While stopping, a crash (a rejoin cut short by our own disconnect) is the stop.
      if (!restart && this.#stopping === undefined) this.#failure?.(error);
    });
    this.#metrics.watchConsumer(this.#consumer);
    await this.#consumer.connect();
    if (this.#stopping !== undefined) return;
    await this.#consumer.subscribe({
      topics: [...kafka.topics],
      fromBeginning: kafka.fromBeginning,
    });
    await this.#consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: kafka.partitionsConsumedConcurrently,
      eachBatch: (payload) => this.#onBatch(payload),
    });
    if (this.#stopping !== undefined) return;
    this.#poller = setInterval(() => this.#pollAll(), POLL_MS);
    this.#running = true;
    this.#log.info({ topics: kafka.topics, groupId: kafka.groupId }, 'worker started');
  }

  /** What the worker holds right now, for metrics and /readyz (cheap: a walk over the pipelines). */
  runtimeState(): WorkerRuntimeState {
    const stopping = this.#stopping !== undefined;
    return runtimeStateOf(this.#pipelines.all(), this.#wired, this.#running && !stopping, stopping);
  }

  /** Resolves with an error if the worker hits a failure it cannot handle (it should exit). */
  failed(): Promise<never> {
    return new Promise((_, reject) => {
      this.#failure = reject;
    });
  }

  /**
   * Graceful stop: take no more messages, flush and insert what is buffered, commit,
   * leave the group. Whatever is not committed by the deadline is re-read by the next
   * owner (and deduplicated), never lost.
   */
  stop(deadlineMs = this.#config.shutdownTimeoutMs): Promise<void> {
    // A stop requested while starting waits for the start to settle, then drains — but not
    // past the deadline: joining a group that is rebalancing can take the whole rebalance
    // timeout, and the disconnect below cuts that join short.
    const deadline = Date.now() + deadlineMs;
    this.#stopping ??= Promise.race([
      (this.#starting ?? Promise.resolve()).catch(() => undefined),
      sleep(deadlineMs / 2, undefined, { ref: false }),
    ]).then(() => {
      const draining = shutDown(
        {
          consumer: this.#consumer,
          admin: this.#admin,
          clickhouse: this.#clickhouse,
          deadLetters: this.#wired.deadLetters,
          pipelines: this.#pipelines,
          topics: this.#config.kafka.topics,
          pollMs: POLL_MS,
          log: this.#log,
          fail: (err) => this.#fail(err),
        },
        deadline,
      );
      // Polling stops once the drain is over (the drain polls on its own meanwhile).
      return draining.finally(() => clearInterval(this.#poller));
    });
    return this.#stopping;
  }

  async #onBatch(payload: EachBatchPayload): Promise<void> {
    const { topic, partition, messages } = payload.batch;
    const first = messages[0];
    if (first === undefined || this.#stopping !== undefined) return;
    const pipeline = await this.#pipelines.pipeline(topic, partition, BigInt(first.offset));
    if (pipeline === undefined) return;
    const { taken, refused } = await consumeFetchedBatch(payload, pipeline, {
      decoder: this.#wired.decoder,
      schemas: this.#wired.schemas,
      stopping: () => this.#stopping !== undefined,
      reportRegistryRetry: (err, attempt, delayMs) =>
        this.#events.registryRetry(topic, partition, err, attempt, delayMs),
    });
    if (refused) this.#pauser.pause(pipeline);
    this.#metrics.consumed(topic, taken);
    await payload.heartbeat();
  }

  /**
   * A fetch of only transaction markers and aborted records (kafkajs reports it without
   * eachBatch): passed to the partition's pipeline, created for it if this generation has
   * none yet (a partition whose log ends so gets no other fetch). A failure to create it is
   * only a later move-on: the next fetch of a message creates it, and reports the failure.
   */
  #onRecordsOnly(payload: {
    topic: string;
    partition: number;
    batchSize: number;
    firstOffset: string | null;
    lastOffset: string;
  }): void {
    const { topic, partition, batchSize, firstOffset, lastOffset } = payload;
    if (batchSize !== 0 || firstOffset === null || this.#stopping !== undefined) return;
    const [first, last] = [BigInt(firstOffset), BigInt(lastOffset)];
    const existing = this.#pipelines.existing(topic, partition);
    if (existing !== undefined) return existing.readThrough(first, last);
    this.#pipelines.pipeline(topic, partition, first).then(
      (pipeline) => pipeline?.readThrough(first, last),
      (err: unknown) => this.#log.debug({ err, topic, partition }, 'no pipeline for records only'),
    );
  }

  /** Every POLL_MS: seal what is due, deliver what is sealed, resume who accepts again. */
  #pollAll(): void {
    if (this.#stopping !== undefined) return; // the drain polls on its own
    try {
      this.#pipelines.pollAll((pipeline) => {
        if (pipeline.paused && pipeline.accepting && this.#wired.budget.hasRoom)
          this.#pauser.resume(pipeline);
      });
    } catch (err) {
      this.#fail(err);
    }
  }

  #fail(err: unknown): void {
    this.#log.fatal({ err }, 'batch delivery failed unexpectedly');
    this.#failure?.(err);
  }

  #onGroupJoin(assignment: Record<string, number[]>): void {
    joinGeneration(assignment, {
      consumer: this.#consumer,
      pipelines: this.#pipelines,
      pauser: this.#pauser,
      deadLetterProducers: this.#wired.deadLetterProducers,
      events: this.#events,
      retry: this.#wired.retry,
      log: this.#log,
      stopping: () => this.#stopping !== undefined,
    });
  }
}
