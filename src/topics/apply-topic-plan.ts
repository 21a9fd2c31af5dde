import kafkajs, { type Admin } from 'kafkajs';
import { IngestError, errorMessage } from '../errors.ts';
import type { TopicChange, TopicPlan } from './plan-topic-changes.ts';

const { ConfigResourceTypes } = kafkajs;

export type TopicApplyAdmin = Pick<
  Admin,
  'createTopics' | 'createPartitions' | 'alterConfigs' | 'fetchTopicMetadata'
>;

/** How long created topics may take to get a leader for every partition. */
const LEADER_WAIT_MS = 120_000;
const LEADER_POLL_MS = 250;

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
            // Leaders are awaited below, with a bound of our own: kafkajs's own wait gives up
            // after its few metadata retries, which a loaded fresh broker can outlast.
            waitForLeaders: false,
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
  const created = applied.filter((c) => c.kind === 'create').map((c) => c.topic);
  if (!validateOnly && created.length > 0) await waitForLeaders(admin, created, applied);
  return applied;
}

/**
 * Waits until every partition of the created topics has a leader (what producers and
 * consumers need), polling the metadata; errors while the cluster catches up are expected.
 */
async function waitForLeaders(
  admin: TopicApplyAdmin,
  topics: readonly string[],
  applied: readonly TopicChange[],
): Promise<void> {
  const deadline = Date.now() + LEADER_WAIT_MS;
  let last: unknown;
  for (;;) {
    try {
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics: [...topics] });
      const leaderless = metadata.flatMap((m) =>
        m.partitions.filter((p) => p.leader < 0).map((p) => `${m.name}[${p.partitionId}]`),
      );
      if (leaderless.length === 0 && metadata.length === topics.length) return;
      last = `no leader yet for ${leaderless.join(', ')}`;
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline) {
      const change = applied.find((c) => c.kind === 'create');
      if (change === undefined) return;
      throw new TopicApplyError(
        change,
        applied,
        new Error(
          `created, but not every partition had a leader after ${LEADER_WAIT_MS / 1000} s (${describeKafkaError(last)})`,
        ),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, LEADER_POLL_MS));
  }
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
