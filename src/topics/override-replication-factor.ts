import type { TopicDefinition } from './topic-definition.ts';

/**
 * The definitions with another replication factor, for clusters smaller than production
 * (`topics apply --replication-factor 1` on a single development broker). A
 * `min.insync.replicas` above the new factor is lowered to it — otherwise every producer
 * using acks=all (the worker's dead-letter publisher among them) would be refused — and
 * each such change is reported.
 */
export function overrideReplicationFactor(
  topics: readonly TopicDefinition[],
  replicationFactor: number,
): { topics: TopicDefinition[]; notes: string[] } {
  const notes: string[] = [];
  const result = topics.map((t) => {
    const config = { ...t.config };
    const minIsr = config['min.insync.replicas'];
    if (minIsr !== undefined && Number(minIsr) > replicationFactor) {
      config['min.insync.replicas'] = String(replicationFactor);
      notes.push(
        `${t.name}: min.insync.replicas ${minIsr} → ${replicationFactor} (capped to --replication-factor ${replicationFactor})`,
      );
    }
    return { ...t, replicationFactor, config };
  });
  return { topics: result, notes };
}
