import type { TopicChange, TopicPlan } from './plan-topic-changes.ts';

/**
 * The plan as lines for people: `+` created, `~` changed, `=` already as the file says,
 * `!` not done on purpose (with the reason), `·` notes. In a dry run the verbs say "would".
 */
export function formatTopicPlan(plan: TopicPlan, options: { dryRun: boolean }): string[] {
  const lines: string[] = [];
  const would = options.dryRun ? 'would ' : '';
  for (const change of plan.changes) lines.push(...describeChange(change, would));
  for (const topic of plan.inSync) lines.push(`= ${topic}: as the file says`);
  for (const refusal of plan.refusals) lines.push(`! ${refusal.topic}: ${refusal.reason}`);
  for (const note of plan.notes) lines.push(`· ${note}`);
  return lines;
}

function describeChange(change: TopicChange, would: string): string[] {
  switch (change.kind) {
    case 'create': {
      const configs = Object.entries(change.config)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ');
      return [
        `+ ${change.topic}: ${would}create with ${change.partitions} partitions, replication factor ${change.replicationFactor}${configs === '' ? '' : `, ${configs}`}`,
      ];
    }
    case 'addPartitions':
      return [`~ ${change.topic}: ${would}raise partitions ${change.from} → ${change.to}`];
    case 'alterConfigs':
      return change.changes.map(
        (c) =>
          `~ ${change.topic}: ${would}set ${c.name} ${c.from ?? '(unset)'}${c.wasOverride ? '' : ' (default)'} → ${c.to}`,
      );
  }
}
