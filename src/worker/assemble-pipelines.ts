import type { ClickHouseClient } from '@clickhouse/client';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import type { Config } from '../config/schema.ts';
import { CommittedOffsets } from '../consume/committed-offsets.ts';
import { MembershipLease } from '../consume/membership-lease.ts';
import { passThrough, type EnrichStage } from '../enrich/enrich-stage.ts';
import type { Logger } from '../log/logger.ts';
import type { ConsumeEvents } from '../observe/consume-log.ts';
import type { IngestMetrics } from '../observe/ingest-metrics.ts';
import { wirePipeline, type WiredPipeline } from '../pipeline/wire-pipeline.ts';
import { PartitionPipelines } from './partition-pipelines.ts';

export interface AssemblyParts {
  readonly kafka: Kafka;
  readonly clickhouse: ClickHouseClient;
  readonly logger: Logger;
  readonly enrich?: EnrichStage;
  readonly consumer: Consumer;
  readonly admin: Admin;
  readonly events: ConsumeEvents;
  readonly metrics: IngestMetrics;
  /** The namespace of deduplication tokens, known once connected (token-namespace.ts). */
  readonly pipelineId: () => string | undefined;
}

/**
 * The worker's pipelines over its group clients: the steps every partition shares
 * (pipeline/wire-pipeline.ts) and the registry that gives each assigned partition its own
 * pipeline per group generation, starting at the committed position.
 */
export function assemblePipelines(
  config: Readonly<Config>,
  parts: AssemblyParts,
): { readonly wired: WiredPipeline; readonly pipelines: PartitionPipelines } {
  const { kafka: k } = config;
  const committed = new CommittedOffsets(parts.admin, k.groupId, k.offsetOutOfRange);
  const wired = wirePipeline(config, {
    kafka: parts.kafka,
    consumer: parts.consumer,
    clickhouse: parts.clickhouse,
    committed,
    // A member frozen for half a session timeout may already be evicted: it waits for the
    // group to confirm it (next heartbeat) before inserting.
    lease: new MembershipLease(parts.consumer, {
      leaseMs: Math.min(k.sessionTimeoutMs, k.rebalanceTimeoutMs) / 2,
    }),
    enrich: parts.enrich ?? passThrough,
    metrics: parts.metrics,
    logger: parts.logger,
    pipelineId: parts.pipelineId,
  });
  const pipelines = new PartitionPipelines({
    committed,
    parts: wired.parts,
    pipelineId: parts.pipelineId,
    fenceDeadLetters: (topic, partition) => wired.deadLetterProducers.fence(topic, partition),
    reportFenced: (...args) => parts.events.fenced(...args),
  });
  return { wired, pipelines };
}
