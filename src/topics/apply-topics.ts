import type { Admin } from 'kafkajs';
import { applyTopicPlan } from './apply-topic-plan.ts';
import { planTopicChanges, type TopicChange, type TopicPlan } from './plan-topic-changes.ts';
import { readTopicStates } from './read-topic-states.ts';
import type { TopicDefinition } from './topic-definition.ts';

export interface ApplyTopicsResult {
  readonly plan: TopicPlan;
  readonly applied: readonly TopicChange[];
  readonly brokers: number;
}

/** Reads the cluster, plans, and applies (or, in a dry run, has the brokers validate). */
export async function applyTopics(
  admin: Admin,
  topics: readonly TopicDefinition[],
  options: { dryRun: boolean },
): Promise<ApplyTopicsResult> {
  const cluster = await readTopicStates(
    admin,
    topics.map((t) => t.name),
  );
  const plan = planTopicChanges(topics, cluster);
  const applied = await applyTopicPlan(admin, plan, options);
  return { plan, applied, brokers: cluster.brokers };
}
