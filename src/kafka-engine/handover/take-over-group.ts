import type { ClickHouseClient } from '@clickhouse/client';
import type { Admin } from 'kafkajs';
import type { Config } from '../../config/schema.ts';
import type { Logger } from '../../log/logger.ts';
import type { KafkaEngineObjects } from '../object-names.ts';
import { handOverOffsets } from './hand-over-offsets.ts';

/** How long a first start waits for the worker-mode members to leave the group. */
export const HANDOVER_WAIT_MS = 120_000;

/** First start of the pipeline: the workers must be gone and the offsets right. */
export async function takeOverGroup(
  config: Readonly<Config>,
  objects: KafkaEngineObjects,
  clickhouse: ClickHouseClient,
  admin: Admin,
  log: Logger,
): Promise<void> {
  const plan = await handOverOffsets(
    {
      admin,
      clickhouse,
      groupId: config.kafka.groupId,
      topics: config.kafka.topics,
      landedTables: [objects.eventsTable, objects.errorsTable],
      log: (fields, message) => log.warn(fields, message),
    },
    { waitMs: HANDOVER_WAIT_MS },
  );
  log.info(
    { groupId: config.kafka.groupId, moved: plan.moves.length },
    'taking over the consumer group at its committed offsets',
  );
}
