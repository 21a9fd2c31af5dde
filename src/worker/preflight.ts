import type { ClickHouseClient } from '@clickhouse/client';
import type { Admin } from 'kafkajs';
import { defaultPipelineId } from '../batch/token-namespace.ts';
import type { Config } from '../config/schema.ts';
import { assertTopicsExist } from '../consume/assert-topics-exist.ts';
import { readTopicMessageLimit } from '../dlq/dlq-topic-limit.ts';
import type { Logger } from '../log/logger.ts';
import { checkDeduplicationWindow } from '../sink/check-deduplication-window.ts';
import { chooseRowFormat } from '../sink/choose-row-format.ts';
import type { RowFormat } from '../serialise/row-format.ts';

/** What the worker learns from the cluster before it joins the group. */
export interface Preflight {
  /** Namespace of deduplication tokens and DLQ transactional ids (token-namespace.ts). */
  readonly pipelineId: string;
  /** The DLQ topic's max.message.bytes: dead letters are sent in requests that fit it. */
  readonly dlqMessageLimit: number;
  /** The inserts' row format, from the events table's column types (choose-row-format.ts). */
  readonly rowFormat: RowFormat;
}

/**
 * Checks before consuming anything: the topics exist, the table deduplicates enough blocks
 * for the partitions feeding it; reads the cluster's identity, the DLQ's message limit and
 * the table's column types (the row format).
 */
export async function preflight(
  config: Readonly<Config>,
  admin: Admin,
  clickhouse: ClickHouseClient,
  log: Logger,
): Promise<Preflight> {
  const { kafka } = config;
  await admin.connect();
  await assertTopicsExist(admin, [...kafka.topics, kafka.dlqTopic]);
  await checkDeduplicationWindow(
    clickhouse,
    admin,
    {
      ...config.clickhouse,
      topics: kafka.topics,
      maxPartitionsPerBlock: config.insert.maxPartitionsPerBlock,
    },
    log,
  );
  const pipelineId =
    config.pipelineId ??
    defaultPipelineId((await admin.describeCluster()).clusterId, kafka.groupId);
  const dlqLimit = await readTopicMessageLimit(admin, kafka.dlqTopic);
  if (dlqLimit.source === 'default') {
    log.warn(
      { topic: kafka.dlqTopic, maxMessageBytes: dlqLimit.bytes, err: dlqLimit.error },
      "could not read the DLQ topic's max.message.bytes; assuming Kafka's default",
    );
  }
  const rowFormat = await chooseRowFormat(clickhouse, config.clickhouse, log);
  return { pipelineId, dlqMessageLimit: dlqLimit.bytes, rowFormat };
}
