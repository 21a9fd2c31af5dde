import type { TopicDefinition } from './topic-definition.ts';
import type { ClusterTopics, TopicState } from './read-topic-states.ts';

export interface ConfigChange {
  readonly name: string;
  /** The effective value before (a broker default if the topic had no override). */
  readonly from: string | undefined;
  readonly to: string;
  /** Whether `from` was a topic-level override (else a broker or built-in default). */
  readonly wasOverride: boolean;
}

export type TopicChange =
  | {
      readonly kind: 'create';
      readonly topic: string;
      readonly partitions: number;
      readonly replicationFactor: number;
      readonly config: Readonly<Record<string, string>>;
    }
  | {
      readonly kind: 'addPartitions';
      readonly topic: string;
      readonly from: number;
      readonly to: number;
    }
  | {
      readonly kind: 'alterConfigs';
      readonly topic: string;
      readonly changes: readonly ConfigChange[];
      /**
       * Every topic-level override the topic must have afterwards. Kafka's AlterConfigs
       * (the only config API kafkajs speaks) replaces the whole set, so overrides the files
       * do not manage are sent back unchanged.
       */
      readonly overrides: Readonly<Record<string, string>>;
    };

/** Something in the files that apply deliberately does not do, and why. */
export interface TopicRefusal {
  readonly topic: string;
  readonly reason: string;
}

export interface TopicPlan {
  readonly changes: readonly TopicChange[];
  readonly refusals: readonly TopicRefusal[];
  /** Facts worth printing that need no action (unmanaged overrides kept, key remapping). */
  readonly notes: readonly string[];
  /** Topics already exactly as their files say. */
  readonly inSync: readonly string[];
}

/**
 * What it takes to make the cluster match the topic files, without ever losing data:
 * missing topics are created, partitions only ever raised, managed configs set, and
 * everything else — fewer partitions, another replication factor, overrides the files do
 * not mention — is left alone and explained.
 */
export function planTopicChanges(
  definitions: readonly TopicDefinition[],
  cluster: ClusterTopics,
): TopicPlan {
  const changes: TopicChange[] = [];
  const refusals: TopicRefusal[] = [];
  const notes: string[] = [];
  const inSync: string[] = [];
  for (const def of definitions) {
    const state = cluster.topics.get(def.name);
    if (state === undefined) {
      if (def.replicationFactor > cluster.brokers) {
        refusals.push({
          topic: def.name,
          reason: `not created: replication factor ${def.replicationFactor} needs at least ${def.replicationFactor} brokers, the cluster has ${cluster.brokers} (for a development cluster: --replication-factor ${cluster.brokers})`,
        });
        continue;
      }
      changes.push({
        kind: 'create',
        topic: def.name,
        partitions: def.partitions,
        replicationFactor: def.replicationFactor,
        config: def.config,
      });
      continue;
    }
    const before = changes.length + refusals.length;
    planExisting(def, state, changes, refusals, notes);
    if (changes.length + refusals.length === before) inSync.push(def.name);
  }
  return { changes, refusals, notes, inSync };
}

function planExisting(
  def: TopicDefinition,
  state: TopicState,
  changes: TopicChange[],
  refusals: TopicRefusal[],
  notes: string[],
): void {
  if (def.partitions > state.partitions) {
    changes.push({
      kind: 'addPartitions',
      topic: def.name,
      from: state.partitions,
      to: def.partitions,
    });
    notes.push(
      `${def.name}: with more partitions, keyed messages map to other partitions from now on; order per key holds again only for messages produced after the change`,
    );
  } else if (def.partitions < state.partitions) {
    refusals.push({
      topic: def.name,
      reason: `partitions not lowered: the cluster has ${state.partitions}, the file says ${def.partitions}. Kafka cannot remove partitions without deleting the topic and its data; to really have fewer, create a new topic, move producers and consumers to it, and retire this one. Raise the file to ${state.partitions} to silence this`,
    });
  }
  if (def.replicationFactor !== state.replicationFactor) {
    refusals.push({
      topic: def.name,
      reason: `replication factor not changed: the cluster has ${state.replicationFactor}, the file says ${def.replicationFactor}. That takes a partition reassignment (kafka-reassign-partitions.sh), which moves data between brokers and is left to an operator`,
    });
  }
  const configChanges: ConfigChange[] = [];
  for (const [name, to] of Object.entries(def.config)) {
    const override = state.overrides.get(name);
    if (override === to) continue;
    configChanges.push({
      name,
      from: override ?? state.effective.get(name),
      to,
      wasOverride: state.overrides.has(name),
    });
  }
  const unmanaged = [...state.overrides.keys()].filter((n) => !Object.hasOwn(def.config, n));
  if (unmanaged.length > 0) {
    notes.push(
      `${def.name}: overrides not in the file, kept as they are: ${unmanaged
        .map((n) => `${n}=${state.overrides.get(n) ?? '(sensitive)'}`)
        .join(', ')}`,
    );
  }
  if (configChanges.length === 0) return;
  const sensitive = unmanaged.filter((n) => state.overrides.get(n) === null);
  if (sensitive.length > 0) {
    refusals.push({
      topic: def.name,
      reason: `configs not changed (${configChanges.map((c) => c.name).join(', ')}): the topic has sensitive overrides (${sensitive.join(', ')}) whose values the broker does not reveal, and AlterConfigs would drop them; change these configs with kafka-configs.sh --alter --add-config`,
    });
    return;
  }
  const overrides: Record<string, string> = {};
  for (const [name, value] of state.overrides) if (value !== null) overrides[name] = value;
  Object.assign(overrides, def.config);
  changes.push({ kind: 'alterConfigs', topic: def.name, changes: configChanges, overrides });
}
