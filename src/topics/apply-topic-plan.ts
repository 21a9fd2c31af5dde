import kafkajs, { type Admin } from 'kafkajs';
import { IngestError, errorMessage } from '../errors.ts';
import type { TopicChange, TopicPlan } from './plan-topic-changes.ts';

const { ConfigResourceTypes } = kafkajs;

export type TopicApplyAdmin = Pick<Admin, 'createTopics' | 'createPartitions' | 'alterConfigs'>;

/** A change the cluster refused; `applied` lists what had already been done. */
export class TopicApplyError extends IngestError {
  readonly applied: readonly TopicChange[];
  readonly failed: TopicChange;

  constructor(failed: TopicChange, applied: readonly TopicChange[], cause: unknown) {
    super(`${failed.topic}: ${failed.kind} failed: ${describeKafkaError(cause)}`, {
      retriable: false,
      cause,
    });
    this.failed = failed;
    this.applied = applied;
  }
}

/**
 * Carries out a plan's changes one by one, in order. With `dryRun` every request is sent
 * with `validateOnly`, so the brokers check names, counts and config values and nothing
 * changes. Stops at the first refusal (TopicApplyError says what was already applied).
 */
export async function applyTopicPlan(
  admin: TopicApplyAdmin,
  plan: TopicPlan,
  options: { dryRun: boolean },
): Promise<readonly TopicChange[]> {
  const applied: TopicChange[] = [];
  const validateOnly = options.dryRun;
  for (const change of plan.changes) {
    try {
      switch (change.kind) {
        case 'create':
          await admin.createTopics({
            validateOnly,
            // kafkajs would wait for the leaders of a topic a validating request never made.
            waitForLeaders: !validateOnly,
            topics: [
              {
                topic: change.topic,
                numPartitions: change.partitions,
                replicationFactor: change.replicationFactor,
                configEntries: Object.entries(change.config).map(([name, value]) => ({
                  name,
                  value,
                })),
              },
            ],
          });
          break;
        case 'addPartitions':
          await admin.createPartitions({
            validateOnly,
            topicPartitions: [{ topic: change.topic, count: change.to }],
          });
          break;
        case 'alterConfigs':
          await admin.alterConfigs({
            validateOnly,
            resources: [
              {
                type: ConfigResourceTypes.TOPIC,
                name: change.topic,
                configEntries: Object.entries(change.overrides).map(([name, value]) => ({
                  name,
                  value,
                })),
              },
            ],
          });
          break;
      }
    } catch (err) {
      throw new TopicApplyError(change, applied, err);
    }
    applied.push(change);
  }
  return applied;
}

/** kafkajs wraps per-topic errors in an aggregate whose message says little. */
function describeKafkaError(err: unknown): string {
  const nested = (err as { errors?: unknown } | null)?.errors;
  if (Array.isArray(nested) && nested.length > 0) {
    return nested.map((e) => describeKafkaError(e)).join('; ');
  }
  const type = (err as { type?: unknown } | null)?.type;
  const message = errorMessage(err);
  return typeof type === 'string' && !message.includes(type) ? `${type}: ${message}` : message;
}
