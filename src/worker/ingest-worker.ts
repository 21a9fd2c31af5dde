import type { ClickHouseClient } from '@clickhouse/client';
import { type Admin, type Consumer, type EachBatchPayload, type Kafka } from 'kafkajs';
import PQueue from 'p-queue';
import type { RejectedMessage, SealedBatch } from '../batch/sealed-batch.ts';
import { OffsetCommitter } from '../commit/offset-committer.ts';
import type { Config } from '../config/schema.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { assertTopicsExist } from '../consume/assert-topics-exist.ts';
import {
  defaultPipelineId,
  lifeOf,
  newPartitionLife,
  tokenNamespace,
} from '../batch/token-namespace.ts';
import { CommittedOffsets } from '../consume/committed-offsets.ts';
import { compressionTypeOf } from '../consume/compression/compression-type.ts';
import { holdUntilPositioned } from '../consume/hold-until-positioned.ts';
import type { OffsetReset } from '../consume/start-position.ts';
import { createGroupClients } from '../consume/create-group-clients.ts';
import { MembershipLease } from '../consume/membership-lease.ts';
import { BufferBudget } from './buffer-budget.ts';
import { PartitionPauser, whileRunning } from '../consume/partition-pauser.ts';
import type { AvroSchemas } from '../decode/avro-schemas.ts';
import { createDecoder } from '../decode/create-decoder.ts';
import { SchemaRegistryError } from '../decode/schema-registry-client.ts';
import type { MessageDecoder } from '../decode/decode-message.ts';
import { createDeadLetterProducer, dlqTransactionalId } from '../dlq/dead-letter-producer.ts';
import { DeadLetterProducers } from '../dlq/dead-letter-producers.ts';
import { DeadLetterPublisher } from '../dlq/dead-letter-publisher.ts';
import { readTopicMessageLimit } from '../dlq/dlq-topic-limit.ts';
import { passThrough, type EnrichStage } from '../enrich/enrich-stage.ts';
import { errorMessage } from '../errors.ts';
import {
  ignoreIngestMetrics,
  type IngestMetrics,
  type WorkerRuntimeState,
} from '../observe/ingest-metrics.ts';
import type { Logger } from '../observe/logger.ts';
import { WorkerStats } from '../observe/worker-stats.ts';
import { RetryPolicy } from '../retry/retry-policy.ts';
import { classifyInsertError, insertErrorLabel } from '../sink/classify-insert-error.ts';
import { checkDeduplicationWindow } from '../sink/check-deduplication-window.ts';
import { insertRows } from '../sink/insert-rows.ts';
import { readLandedRows } from '../sink/skip-landed-rows.ts';
import { deliverBatch, type DeliveryDependencies } from './deliver-batch.ts';
import { LaneRegistry } from './lane-registry.ts';
import { offerFetchedBatch } from './offer-fetched-batch.ts';
import type { PartitionLane } from './partition-lane.ts';

export interface WorkerParts {
  readonly kafka: Kafka;
  readonly clickhouse: ClickHouseClient;
  readonly logger: Logger;
  readonly enrich?: EnrichStage;
  /** Prometheus metrics (observe/worker-metrics.ts); nothing is recorded without. */
  readonly metrics?: IngestMetrics;
}

const TICK_MS = 100;

/**
 * consume → decode → enrich → batch → insert → commit, for every partition this member
 * is assigned. Consumption never blocks on ClickHouse: full or failing partitions are
 * paused and resumed, so heartbeats keep flowing and memory stays bounded.
 */
export class IngestWorker {
  readonly stats = new WorkerStats();
  readonly #config: Readonly<Config>;
  readonly #log: Logger;
  readonly #consumer: Consumer;
  readonly #deadLetters: DeadLetterPublisher;
  readonly #dlqProducers: DeadLetterProducers;
  readonly #admin: Admin;
  readonly #clickhouse: ClickHouseClient;
  readonly #lanes: LaneRegistry;
  readonly #delivery: DeliveryDependencies;
  readonly #schemas: AvroSchemas | undefined;
  readonly #decoder: MessageDecoder;
  readonly #deliveries = new Set<Promise<void>>();
  readonly #pauser: PartitionPauser;
  readonly #lease: MembershipLease;
  readonly #metrics: IngestMetrics;
  /** Inserts, commits, dead letters and start positions retry under it (INSERT_RETRY_*). */
  readonly #retry: RetryPolicy;
  #running = false;
  readonly #budget: BufferBudget;
  #ticker: NodeJS.Timeout | undefined;
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
    this.#retry = RetryPolicy.fromConfig(config.insert);
    const { kafka: k } = config;
    const clients = createGroupClients(parts.kafka, k, {
      mayRestart: () => this.#stopping === undefined,
    });
    this.#consumer = clients.consumer;
    this.#admin = clients.admin;
    this.#pauser = new PartitionPauser(this.#consumer);
    // A member frozen for half a session timeout may already be evicted: it waits for the
    // group to confirm it (next heartbeat) before inserting.
    const leaseMs = Math.min(k.sessionTimeoutMs, k.rebalanceTimeoutMs) / 2;
    this.#lease = new MembershipLease(this.#consumer, { leaseMs });
    ({ decoder: this.#decoder, schemas: this.#schemas } = createDecoder(config.decode));
    this.#budget = new BufferBudget(config.maxBufferedBytes);
    // Producers exist only once started: the pipeline id is read from the cluster then.
    this.#dlqProducers = new DeadLetterProducers((topic, partition) =>
      createDeadLetterProducer(
        parts.kafka,
        dlqTransactionalId(this.#pipelineId ?? k.groupId, topic, partition),
      ),
    );
    this.#lanes = new LaneRegistry(
      new CommittedOffsets(this.#admin, k.groupId, k.offsetOutOfRange),
      {
        decoder: this.#decoder,
        enrich: parts.enrich ?? passThrough,
        limits: config.batch,
        budget: this.#budget,
        now: Date.now,
        onReformed: (_lane, reformedCase) => this.#metrics.reformedRange(reformedCase),
      },
      (recorded) =>
        this.#pipelineId === undefined
          ? undefined
          : tokenNamespace(this.#pipelineId, (recorded && lifeOf(recorded)) || newPartitionLife()),
      (topic, partition) => this.#dlqProducers.fence(topic, partition),
      (topic, partition, settled, waitedMs) =>
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
    );
    const { database, table, distributed } = config.clickhouse;
    const { maxPartitionsPerBlock } = config.insert;
    const target = {
      client: parts.clickhouse,
      database,
      table,
      distributed,
      maxPartitionsPerBlock,
    };
    const retry = this.#retry;
    this.#deadLetters = new DeadLetterPublisher({
      producers: this.#dlqProducers,
      topic: k.dlqTopic,
      groupId: k.groupId,
      compression: compressionTypeOf(k.dlqCompression),
      workerId: config.workerId,
      retry,
      logger: parts.logger,
      onPublished: (letters) => this.#metrics.deadLettersWritten(letters),
      onWriteFailed: (failure) => this.#metrics.deadLetterWriteFailed(failure.error),
    });
    this.#delivery = {
      retry,
      maxPartitionsPerBlock,
      committer: new OffsetCommitter({
        consumer: this.#consumer,
        retry,
        onCommitted: (ms) => this.#metrics.committed(ms),
      }),
      insert: (rows, token, signal) =>
        this.#metrics.timeInsert(() => insertRows(target, rows, token, signal)),
      readLanded: (query, signal) =>
        readLandedRows(
          { ...target, replicated: distributed || config.clickhouse.cluster !== '' },
          query,
          signal,
        ),
      onRecordedRangeChecked: (lane, batch, skipped, queryMs) =>
        this.#log.info(
          {
            batch: batch.range,
            deadLetters: batch.recorded?.deadLetters,
            alreadyLanded: skipped,
            of: batch.rows.length,
            queryMs: Math.round(queryMs),
          },
          're-formed range checked against the table (its first insert may be out of the deduplication window)',
        ),
      onReformedLanding: (lane, batch, skipped) =>
        this.#log.warn(
          {
            batch: batch.range,
            recorded: batch.reformed?.recordedToken,
            case: batch.reformed?.case,
            alreadyLanded: skipped,
            toInsert: batch.rows.length - skipped,
          },
          're-formed range differs from its record: rows already in ClickHouse are skipped',
        ),
      onLandedDespiteError: (lane, batch, err, landed, of) =>
        this.#log.warn(
          {
            partition: `${lane.topic}[${lane.partition}]`,
            batch: batch.range,
            landed,
            of,
            message: errorMessage(err),
          },
          'insert failed as data after writing the block (a materialized view refused a row?): rows in the table count as landed',
        ),
      deadLetters: this.#deadLetters,
      readSettledPosition: (topic, partition) => this.#lanes.settledPosition(topic, partition),
      insertQueue: new PQueue({ concurrency: config.insert.maxInFlight }),
      isCurrent: (lane) => this.#lanes.isCurrent(lane),
      awaitMembership: (signal) => this.#lease.whenFresh(signal),
      onInsertRetry: (lane, err, attempt, delayMs) =>
        this.#onInsertRetry(lane, err, attempt, delayMs),
      onLanded: (lane, batch, rejected, ms) => this.#onLanded(lane, batch, rejected, ms),
    };
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
    this.#deadLetters.useMessageLimit(dlqLimit.bytes);
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
    this.#ticker = setInterval(() => this.#tick(), TICK_MS);
    this.#running = true;
    this.#log.info({ topics: kafka.topics, groupId: kafka.groupId }, 'worker started');
  }

  /** What the worker holds right now, for metrics and /readyz (cheap: a walk over the lanes). */
  runtimeState(): WorkerRuntimeState {
    let paused = 0;
    let oldest: number | undefined;
    for (const lane of this.#lanes.lanes()) {
      if (lane.paused) paused++;
      const held = lane.oldestHeldAt;
      if (held !== undefined && (oldest === undefined || held < oldest)) oldest = held;
    }
    return {
      running: this.#running && this.#stopping === undefined,
      stopping: this.#stopping !== undefined,
      pausedPartitions: paused,
      insertsInFlight: this.#delivery.insertQueue.pending,
      bufferedBytes: this.#budget.heldBytes,
      oldestUnflushedAtMs: oldest,
      dlq: this.#deadLetters.writability,
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
    while (Date.now() < deadline) {
      for (const lane of this.#lanes.lanes()) {
        lane.sealIfDue(true);
        this.#pump(lane);
      }
      if (
        [...this.#lanes.lanes()].every((lane) => lane.idle || !lane.alive) &&
        this.#deliveries.size === 0
      )
        break;
      // With nothing in flight, allSettled([]) is already settled: racing it would spin the
      // loop on microtasks (a timer per turn) until the deadline, starving the event loop and
      // filling the heap — a lane re-forming a pending range holds an open batch that is
      // never sealed early. Wait for a tick instead.
      await (this.#deliveries.size === 0
        ? sleep(TICK_MS)
        : Promise.race([Promise.allSettled([...this.#deliveries]), sleep(TICK_MS)]));
    }
    const unfinished = [...this.#lanes.lanes()].filter((lane) => !lane.idle && lane.alive);
    if (unfinished.length > 0) {
      this.#log.warn(
        { partitions: unfinished.map((l) => `${l.topic}[${l.partition}]`) },
        'drain deadline reached; the next owner re-reads these',
      );
    }
    this.#lanes.newGeneration();
    clearInterval(this.#ticker);
    await Promise.allSettled([...this.#deliveries]);
    // Leaving the group can fail or hang mid-rebalance; what landed is committed already and
    // the rest is re-read by the next owner, so a failed goodbye is not a failed stop.
    await Promise.race([
      this.#consumer.disconnect().catch((err: unknown) => {
        this.#log.warn({ err: errorMessage(err) }, 'consumer did not disconnect cleanly');
      }),
      sleep(Math.max(1_000, deadline - Date.now()), undefined, { ref: false }),
    ]);
    await Promise.allSettled([
      this.#deadLetters.close(),
      this.#admin.disconnect(),
      this.#clickhouse.close(),
    ]);
    this.#log.info(this.stats.snapshot(), 'worker stopped');
  }

  async #onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const first = batch.messages[0];
    if (first === undefined || this.#stopping !== undefined) return;
    const lane = await this.#lanes.lane(batch.topic, batch.partition, BigInt(first.offset));
    if (lane === undefined) return;
    const consumed = await offerFetchedBatch(payload, lane, {
      decoder: this.#decoder,
      schemas: this.#schemas,
      stopping: () => this.#stopping !== undefined,
      onFull: (full) => this.#pauser.pause(full),
      onSealed: (sealed) => this.#pump(sealed),
      onRegistryRetry: (err, attempt, delayMs) =>
        this.#onRegistryRetry(batch, err, attempt, delayMs),
    });
    this.stats.messagesConsumed += consumed;
    this.#metrics.consumed(batch.topic, consumed);
    await payload.heartbeat();
  }

  #pump(lane: PartitionLane): void {
    const batch = lane.takeNext();
    if (batch === undefined) return;
    const delivery = deliverBatch(lane, batch, this.#delivery).then(
      (result) => {
        lane.finishInFlight(batch);
        if (result === 'committed') this.stats.batchesCommitted++;
        this.#pump(lane);
        this.#maybeResume(lane);
      },
      (err: unknown) => {
        lane.finishInFlight(batch);
        this.#log.fatal({ err, batch: batch.range }, 'batch delivery failed unexpectedly');
        this.#failure?.(err);
      },
    );
    this.#deliveries.add(delivery);
    void delivery.finally(() => this.#deliveries.delete(delivery));
  }

  #tick(): void {
    for (const lane of this.#lanes.lanes()) {
      if (this.#stopping === undefined) lane.sealIfDue();
      this.#pump(lane);
    }
    for (const lane of this.#lanes.lanes()) this.#maybeResume(lane);
  }

  #onGroupJoin(assignment: Record<string, number[]>): void {
    const dropped = this.#lanes.newGeneration();
    // Revoked partitions' DLQ producers go; kept ones stay (had another owner come between,
    // it fenced them: their next transaction fails and a new producer takes over).
    void this.#dlqProducers.keepOnly((topic, partition) =>
      (assignment[topic] ?? []).includes(partition),
    );
    this.stats.rebalances++;
    if (this.#stopping === undefined) this.#pauser.resumeAll();
    const epoch = this.#lanes.epoch;
    void holdUntilPositioned(this.#consumer, assignment, {
      position: (topic, partition) => this.#lanes.position(topic, partition),
      isCurrent: () => epoch === this.#lanes.epoch && this.#stopping === undefined,
      onReset: (topic, partition, reset) => this.#onOffsetReset(topic, partition, reset),
      onRetry: (err) =>
        this.#log.warn({ err: errorMessage(err) }, 'reading committed offsets failed; retrying'),
      retry: this.#retry,
    });
    this.#log.info(
      { assignment, droppedLanes: dropped.length, epoch: this.#lanes.epoch },
      'joined consumer group',
    );
  }

  #onOffsetReset(topic: string, partition: number, reset: OffsetReset): void {
    const skippedData = reset.skipped > 0n;
    this.#metrics.offsetReset(topic, reset.reason, skippedData);
    const fields = {
      partition: `${topic}[${partition}]`,
      reason: reset.reason,
      committed: reset.from.toString(),
      restartAt: reset.to.toString(),
      skipped: reset.skipped.toString(),
      policy: this.#config.kafka.offsetOutOfRange,
    };
    if (!skippedData)
      this.#log.warn(fields, 'committed offset out of range: reset without skipping data');
    else if (reset.reason === 'below_log_start')
      this.#log.error(
        fields,
        'committed offset out of range: messages deleted before they were read',
      );
    // Beyond the log end nobody can tell whether the log below the restart was read (offsets
    // set too far, log truncated) or is new (topic re-created): it is skipped, loudly.
    else this.#log.error(fields, 'committed offset out of range: messages in the log skipped');
  }

  #maybeResume(lane: PartitionLane): void {
    if (!lane.paused || !lane.alive || this.#stopping !== undefined) return;
    if (!lane.canAccept || !this.#budget.hasRoom) return;
    this.#pauser.resume(lane);
  }

  #onRegistryRetry(
    batch: EachBatchPayload['batch'],
    err: unknown,
    attempt: number,
    delayMs: number,
  ): void {
    const kind = err instanceof SchemaRegistryError ? err.kind : 'unexpected';
    this.#metrics.schemaRegistryFailed(kind);
    // The message names the registry by origin only (schema-registry-client.ts): no secret.
    this.#log.error(
      {
        partition: `${batch.topic}[${batch.partition}]`,
        error: kind,
        message: errorMessage(err),
        attempt,
        retryInMs: Math.round(delayMs),
      },
      'schema registry lookup failed; the partition waits and retries',
    );
  }

  #onInsertRetry(lane: PartitionLane, err: unknown, attempt: number, delayMs: number): void {
    const errorClass = insertErrorLabel(err);
    const failure = classifyInsertError(err);
    this.stats.insertRetries++;
    this.#metrics.insertRetried(errorClass);
    lane.blocked = true;
    this.#pauser.pause(lane);
    const fields = {
      partition: `${lane.topic}[${lane.partition}]`,
      batch: lane.inFlight?.range,
      error: errorClass,
      failure,
      message: errorMessage(err),
      attempt,
      retryInMs: Math.round(delayMs),
    };
    // A configuration failure (missing table, grants, password) needs a person; the batch
    // waits for the fix and lands then.
    if (failure === 'configuration')
      this.#log.error(fields, 'insert refused until ClickHouse is fixed; retrying the same batch');
    else this.#log.warn(fields, 'insert failed; retrying the same batch');
  }

  #onLanded(
    lane: PartitionLane,
    batch: SealedBatch,
    rejected: readonly RejectedMessage[],
    insertMs: number,
  ): void {
    lane.blocked = false;
    this.stats.recordLanded(batch, rejected);
    const refusedBySink = rejected.length - batch.rejected.length;
    this.#metrics.landed(batch, batch.rows.length - refusedBySink, Date.now());
    this.#log.debug(
      {
        batch: batch.range,
        rows: batch.rows.length,
        deadLetters: rejected.length,
        insertMs: Math.round(insertMs),
      },
      'batch landed',
    );
  }
}
