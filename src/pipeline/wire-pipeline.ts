import type { ClickHouseClient } from '@clickhouse/client';
import type { Consumer, Kafka } from 'kafkajs';
import PQueue from 'p-queue';
import { BufferBudget } from '../batch/buffer-budget.ts';
import { OffsetCommitter } from '../commit/offset-committer.ts';
import type { Config } from '../config/schema.ts';
import type { CommittedOffsets } from '../consume/committed-offsets.ts';
import { readMessagesAt } from '../consume/read-messages-at.ts';
import { compressionTypeOf } from '../consume/compression/compression-type.ts';
import type { MembershipLease } from '../consume/membership-lease.ts';
import type { AvroSchemas } from '../decode/avro-schemas.ts';
import { createDecoder } from '../decode/create-decoder.ts';
import type { MessageDecoder } from '../decode/decode-message.ts';
import { createDeadLetterProducer, dlqTransactionalId } from '../dlq/dead-letter-producer.ts';
import { DeadLetterProducers } from '../dlq/dead-letter-producers.ts';
import { DeadLetterPublisher } from '../dlq/dead-letter-publisher.ts';
import type { EnrichStage } from '../enrich/enrich-stage.ts';
import { deliveryEvents } from '../observe/delivery-log.ts';
import type { IngestMetrics } from '../observe/ingest-metrics.ts';
import type { Logger } from '../log/logger.ts';
import { RetryPolicy } from '../retry/retry-policy.ts';
import { insertRows } from '../sink/insert-rows.ts';
import { readLandedRows } from '../sink/skip-landed-rows.ts';
import { createMessageSteps } from './message-steps.ts';
import { RowFormatChoice } from '../serialise/row-format.ts';
import type { PipelineParts } from './partition-pipeline.ts';
import type { RowLines } from '../batch/row-lines.ts';

/** One pass reading refused rows' messages again gives up (and is retried) after this. */
const REREAD_TIMEOUT_MS = 30_000;

export interface PipelineServices {
  readonly kafka: Kafka;
  readonly consumer: Consumer;
  readonly clickhouse: ClickHouseClient;
  readonly committed: CommittedOffsets;
  readonly lease: MembershipLease;
  readonly enrich: EnrichStage;
  readonly metrics: IngestMetrics;
  readonly logger: Logger;
  /** The namespace of DLQ transactional ids, known once connected (token-namespace.ts). */
  readonly pipelineId: () => string | undefined;
}

/** What every partition pipeline shares, and what the worker needs to run it. */
export interface WiredPipeline {
  readonly parts: PipelineParts;
  readonly decoder: MessageDecoder;
  readonly schemas: AvroSchemas | undefined;
  readonly budget: BufferBudget;
  readonly insertQueue: PQueue;
  readonly deadLetters: DeadLetterPublisher;
  readonly deadLetterProducers: DeadLetterProducers;
  readonly retry: RetryPolicy;
  /** The inserts' row format, chosen before consuming (sink/choose-row-format.ts). */
  readonly rowFormats: RowFormatChoice;
}

/**
 * Builds the steps every partition pipeline runs (partition-pipeline.ts), in the data's order,
 * from the configuration: the one place where configuration meets the steps.
 */
export function wirePipeline(config: Readonly<Config>, services: PipelineServices): WiredPipeline {
  const { kafka: k, clickhouse: ch, insert } = config;
  const { metrics, logger } = services;

  // decode → enrich → serialise
  const { decoder, schemas } = createDecoder(config.decode);
  // RowBinary unless the start-up check finds other column types (worker/preflight.ts).
  const rowFormats = new RowFormatChoice();
  const steps = createMessageSteps(decoder, services.enrich, rowFormats);

  // batch: the partition's batches under the worker's memory budget
  const budget = new BufferBudget(config.maxBufferedBytes);
  const batcher = {
    limits: config.batch,
    budget,
    now: Date.now,
    reportReformed: metrics.reformedRange.bind(metrics),
  };

  // deliver: pending mark → insert → dead letters → commit
  // inserts, commits and dead letters retry under one policy (INSERT_RETRY_*)
  const retry = RetryPolicy.fromConfig(insert);
  const target = {
    client: services.clickhouse,
    database: ch.database,
    table: ch.table,
    distributed: ch.distributed,
    maxPartitionsPerBlock: insert.maxPartitionsPerBlock,
    get format() {
      return rowFormats.format;
    },
  };
  const deadLetterProducers = new DeadLetterProducers((topic, partition) =>
    createDeadLetterProducer(
      services.kafka,
      dlqTransactionalId(services.pipelineId() ?? k.groupId, topic, partition),
    ),
  );
  const deadLetters = new DeadLetterPublisher({
    producers: deadLetterProducers,
    topic: k.dlqTopic,
    groupId: k.groupId,
    compression: compressionTypeOf(k.dlqCompression),
    workerId: config.workerId,
    retry,
    logger,
    onPublished: (letters) => metrics.deadLettersWritten(letters),
    onWriteFailed: (failure) => metrics.deadLetterWriteFailed(failure.error),
  });
  const insertQueue = new PQueue({ concurrency: insert.maxInFlight });
  const delivery = {
    retry,
    maxPartitionsPerBlock: insert.maxPartitionsPerBlock,
    insertQueue,
    insert: (rows: RowLines, token: string, signal: AbortSignal) =>
      metrics.timeInsert(() => insertRows(target, rows, token, signal)),
    rowUuid: (row: Buffer) => rowFormats.format.uuidOf(row),
    // The messages of rows ClickHouse refused, for their dead letters (recover-originals.ts).
    readMessagesAt: (
      topic: string,
      partition: number,
      offsets: readonly string[],
      signal: AbortSignal,
    ) =>
      readMessagesAt(services.kafka, topic, partition, offsets, {
        groupPrefix: `${k.groupId}.reread`,
        timeoutMs: REREAD_TIMEOUT_MS,
        signal,
      }),
    rowBody: (row: Buffer) => ({
      format: rowFormats.format.name,
      body: Buffer.concat([rowFormats.format.header, row]),
    }),
    readLanded: readLandedRows.bind(undefined, {
      ...target,
      replicated: ch.distributed || ch.cluster !== '',
    }),
    awaitMembership: (signal: AbortSignal) => services.lease.whenFresh(signal),
    deadLetters,
    readSettledPosition: (topic: string, partition: number) =>
      services.committed.settled(topic, partition),
    committer: new OffsetCommitter({
      consumer: services.consumer,
      retry,
      onCommitted: (ms) => metrics.committed(ms),
    }),
    events: deliveryEvents(logger, metrics),
  };

  return {
    parts: { steps, batcher, delivery },
    decoder,
    schemas,
    budget,
    insertQueue,
    deadLetters,
    deadLetterProducers,
    retry,
    rowFormats,
  };
}
