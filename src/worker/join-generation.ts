import type { Consumer } from 'kafkajs';
import { holdUntilPositioned } from '../consume/hold-until-positioned.ts';
import type { PartitionPauser } from '../consume/partition-pauser.ts';
import type { DeadLetterProducers } from '../dlq/dead-letter-producers.ts';
import { errorMessage } from '../errors.ts';
import type { ConsumeEvents } from '../observe/consume-log.ts';
import type { Logger } from '../log/logger.ts';
import type { RetryPolicy } from '../retry/retry-policy.ts';
import type { PartitionPipelines } from './partition-pipelines.ts';

export interface JoinParts {
  readonly consumer: Consumer;
  readonly pipelines: PartitionPipelines;
  readonly pauser: PartitionPauser;
  readonly deadLetterProducers: DeadLetterProducers;
  readonly events: ConsumeEvents;
  readonly retry: RetryPolicy;
  readonly log: Logger;
  readonly stopping: () => boolean;
}

/**
 * The group assigned this member partitions (GROUP_JOIN): the old generation's pipelines end,
 * kafkajs is held until every assigned partition is positioned at its committed offset (or
 * where an out-of-range offset resets to), and each partition gets a new pipeline on its
 * first fetched batch.
 */
export function joinGeneration(assignment: Record<string, number[]>, parts: JoinParts): void {
  const { pipelines } = parts;
  const ended = pipelines.newGeneration();
  // Revoked partitions' DLQ producers go; kept ones stay (had another owner come between,
  // it fenced them: their next transaction fails and a new producer takes over).
  void parts.deadLetterProducers.keepOnly((topic, partition) =>
    (assignment[topic] ?? []).includes(partition),
  );
  if (!parts.stopping()) parts.pauser.resumeAll();
  const generation = pipelines.generation;
  void holdUntilPositioned(parts.consumer, assignment, {
    position: (topic, partition) => pipelines.position(topic, partition),
    isCurrent: () => generation === pipelines.generation && !parts.stopping(),
    onReset: (topic, partition, reset) => parts.events.offsetReset(topic, partition, reset),
    onRetry: (err) =>
      parts.log.warn({ err: errorMessage(err) }, 'reading committed offsets failed; retrying'),
    retry: parts.retry,
  });
  parts.log.info({ assignment, endedPipelines: ended.length, generation }, 'joined consumer group');
}
