import type { ClickHouseClient } from '@clickhouse/client';
import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  defaultPipelineId,
  lifeOf,
  newPartitionLife,
  tokenNamespace,
} from '../batch/token-namespace.ts';
import type { Config } from '../config/schema.ts';
import { assertTopicsExist } from '../consume/assert-topics-exist.ts';
import { CommittedOffsets } from '../consume/committed-offsets.ts';
import { createGroupClients } from '../consume/create-group-clients.ts';
import { holdUntilPositioned } from '../consume/hold-until-positioned.ts';
import { MembershipLease } from '../consume/membership-lease.ts';
import { PartitionPauser, whileRunning } from '../consume/partition-pauser.ts';
import { readTopicMessageLimit } from '../dlq/dlq-topic-limit.ts';
import { passThrough, type EnrichStage } from '../enrich/enrich-stage.ts';
import { errorMessage } from '../errors.ts';
import { consumeEvents, type ConsumeEvents } from '../observe/consume-log.ts';
import {
  ignoreIngestMetrics,
  type IngestMetrics,
  type WorkerRuntimeState,
} from '../observe/ingest-metrics.ts';
import type { Logger } from '../observe/logger.ts';
import { wirePipeline, type WiredPipeline } from '../pipeline/wire-pipeline.ts';
import { checkDeduplicationWindow } from '../sink/check-deduplication-window.ts';
import { consumeFetchedBatch } from './consume-fetched-batch.ts';
import { drainPipelines } from './drain-pipelines.ts';
import { PartitionPipelines } from './partition-pipelines.ts';

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
    const committed = new CommittedOffsets(this.#admin, k.groupId, k.offsetOutOfRange);
    this.#wired = wirePipeline(config, {
      kafka: parts.kafka,
      consumer: this.#consumer,
      clickhouse: parts.clickhouse,
      committed,
      // A member frozen for half a session timeout may already be evicted: it waits for the
      // group to confirm it (next heartbeat) before inserting.
      lease: new MembershipLease(this.#consumer, {
        leaseMs: Math.min(k.sessionTimeoutMs, k.rebalanceTimeoutMs) / 2,
      }),
      enrich: parts.enrich ?? passThrough,
      metrics: this.#metrics,
      logger: parts.logger,
      pipelineId: () => this.#pipelineId,
    });
    this.#pipelines = new PartitionPipelines({
      committed,
      parts: this.#wired.parts,
      namespaceOf: (recorded) =>
        this.#pipelineId === undefined
          ? undefined
          : tokenNamespace(this.#pipelineId, (recorded && lifeOf(recorded)) || newPartitionLife()),
      fenceDeadLetters: (topic, partition) =>
        this.#wired.deadLetterProducers.fence(topic, partition),
      reportFenced: (topic, partition, settled, waitedMs) =>
        this.#log.info(
          {
            partition: `${topic}[${partition}]`,
            waitedMs,
            offset: settled.offset?.toString(),
            pending: settled.pending && `${settled.pending.first}-${settled.pending.last}`,
            deadLetters: settled.pending?.deadLetters,
          },
          "previous owner's DLQ transaction fenced; position read again",
        ),
    });
  }

  /** Connects, joins the group and starts consuming. Resolves once running. */
  start(): Promise<void> {
    this.#starting ??= this.#connectAndRun();
    return this.#starting;
  }

  async #connectAndRun(): Promise<void> {
    const { kafka } = this.#config;
    await this.#admin.connect();
    await assertTopicsExist(this.#admin, [...kafka.topics, kafka.dlqTopic]);
    await checkDeduplicationWindow(
      this.#clickhouse,
      this.#admin,
      {
        ...this.#config.clickhouse,
        topics: kafka.topics,
        maxPartitionsPerBlock: this.#config.insert.maxPartitionsPerBlock,
      },
      this.#log,
    );
    this.#pipelineId =
      this.#config.pipelineId ??
      defaultPipelineId((await this.#admin.describeCluster()).clusterId, kafka.groupId);
    // Dead letters are sent in requests that fit this limit (a larger one is refused whole).
    const dlqLimit = await readTopicMessageLimit(this.#admin, kafka.dlqTopic);
    if (dlqLimit.source === 'default') {
      this.#log.warn(
        { topic: kafka.dlqTopic, maxMessageBytes: dlqLimit.bytes, err: dlqLimit.error },
        "could not read the DLQ topic's max.message.bytes; assuming Kafka's default",
      );
    }
    this.#wired.deadLetters.useMessageLimit(dlqLimit.bytes);
    const { GROUP_JOIN, CRASH } = this.#consumer.events;
    this.#consumer.on(GROUP_JOIN, (event) => this.#onGroupJoin(event.payload.memberAssignment));
    this.#consumer.on(CRASH, (event) => {
      this.#log.error(
        { err: event.payload.error, restart: event.payload.restart },
        'consumer crashed',
      );
      // While stopping, a crash (a rejoin cut short by our own disconnect) is the stop.
      if (!event.payload.restart && this.#stopping === undefined)
        this.#failure?.(event.payload.error);
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
    let paused = 0;
    let oldest: number | undefined;
    for (const pipeline of this.#pipelines.all()) {
      if (pipeline.paused) paused++;
      const held = pipeline.oldestHeldAt;
      if (held !== undefined && (oldest === undefined || held < oldest)) oldest = held;
    }
    return {
      running: this.#running && this.#stopping === undefined,
      stopping: this.#stopping !== undefined,
      pausedPartitions: paused,
      insertsInFlight: this.#wired.insertQueue.pending,
      bufferedBytes: this.#wired.budget.heldBytes,
      oldestUnflushedAtMs: oldest,
      dlq: this.#wired.deadLetters.writability,
    };
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
    ]).then(() => this.#drainAndClose(deadline));
    return this.#stopping;
  }

  async #drainAndClose(deadline: number): Promise<void> {
    // Before the group is joined, or between a crashed rejoin and its restart, there is no
    // consumer group to pause: nothing is being fetched then either.
    whileRunning(() => this.#consumer.pause(this.#config.kafka.topics.map((topic) => ({ topic }))));
    const unfinished = await drainPipelines(this.#pipelines, deadline, POLL_MS, (err) =>
      this.#fail(err),
    );
    if (unfinished.length > 0) {
      this.#log.warn(
        { partitions: unfinished.map((p) => `${p.topic}[${p.partition}]`) },
        'drain deadline reached; the next owner re-reads these',
      );
    }
    const ended = this.#pipelines.newGeneration();
    clearInterval(this.#poller);
    await Promise.allSettled(ended.map((p) => p.join()));
    // Leaving the group can fail or hang mid-rebalance; what landed is committed already and
    // the rest is re-read by the next owner, so a failed goodbye is not a failed stop.
    await Promise.race([
      this.#consumer.disconnect().catch((err: unknown) => {
        this.#log.warn({ err: errorMessage(err) }, 'consumer did not disconnect cleanly');
      }),
      sleep(Math.max(1_000, deadline - Date.now()), undefined, { ref: false }),
    ]);
    await Promise.allSettled([
      this.#wired.deadLetters.close(),
      this.#admin.disconnect(),
      this.#clickhouse.close(),
    ]);
    this.#log.info('worker stopped');
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

  /** Every POLL_MS: seal what is due, deliver what is sealed, resume who accepts again. */
  #pollAll(): void {
    for (const pipeline of this.#pipelines.all()) {
      try {
        if (this.#stopping === undefined) pipeline.poll();
      } catch (err) {
        this.#fail(err);
        return;
      }
      if (pipeline.paused && this.#stopping === undefined && pipeline.accepting)
        if (this.#wired.budget.hasRoom) this.#pauser.resume(pipeline);
    }
  }

  #fail(err: unknown): void {
    this.#log.fatal({ err }, 'batch delivery failed unexpectedly');
    this.#failure?.(err);
  }

  #onGroupJoin(assignment: Record<string, number[]>): void {
    const ended = this.#pipelines.newGeneration();
    // Revoked partitions' DLQ producers go; kept ones stay (had another owner come between,
    // it fenced them: their next transaction fails and a new producer takes over).
    void this.#wired.deadLetterProducers.keepOnly((topic, partition) =>
      (assignment[topic] ?? []).includes(partition),
    );
    if (this.#stopping === undefined) this.#pauser.resumeAll();
    const generation = this.#pipelines.generation;
    void holdUntilPositioned(this.#consumer, assignment, {
      position: (topic, partition) => this.#pipelines.position(topic, partition),
      isCurrent: () => generation === this.#pipelines.generation && this.#stopping === undefined,
      onReset: (topic, partition, reset) => this.#events.offsetReset(topic, partition, reset),
      onRetry: (err) =>
        this.#log.warn({ err: errorMessage(err) }, 'reading committed offsets failed; retrying'),
      retry: this.#wired.retry,
    });
    this.#log.info(
      { assignment, endedPipelines: ended.length, generation },
      'joined consumer group',
    );
  }
}
