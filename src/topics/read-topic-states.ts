import kafkajs, { type Admin } from 'kafkajs';

const { ConfigResourceTypes, ConfigSource } = kafkajs;

/** What the cluster has for one existing topic. */
export interface TopicState {
  readonly name: string;
  readonly partitions: number;
  /** Replicas of the partition with the fewest (they differ only while a reassignment runs). */
  readonly replicationFactor: number;
  /** Topic-level overrides: name → value (null: a sensitive value the broker will not show). */
  readonly overrides: ReadonlyMap<string, string | null>;
  /** Effective value of every config the broker reported (override, broker or default). */
  readonly effective: ReadonlyMap<string, string>;
}

export interface ClusterTopics {
  readonly brokers: number;
  /** Existing topics among those asked for; a missing topic has no entry. */
  readonly topics: ReadonlyMap<string, TopicState>;
}

export type TopicStateAdmin = Pick<
  Admin,
  'listTopics' | 'fetchTopicMetadata' | 'describeConfigs' | 'describeCluster'
>;

/** Reads partitions, replication and configs of the named topics, and the broker count. */
export async function readTopicStates(
  admin: TopicStateAdmin,
  names: readonly string[],
): Promise<ClusterTopics> {
  const [cluster, existing] = await Promise.all([admin.describeCluster(), admin.listTopics()]);
  const present = names.filter((n) => existing.includes(n));
  const topics = new Map<string, TopicState>();
  if (present.length > 0) {
    const [metadata, configs] = await Promise.all([
      admin.fetchTopicMetadata({ topics: present }),
      admin.describeConfigs({
        resources: present.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
        includeSynonyms: false,
      }),
    ]);
    for (const topic of metadata.topics) {
      const resource = configs.resources.find((r) => r.resourceName === topic.name);
      if (resource === undefined || resource.errorCode !== 0) {
        throw new Error(
          `cannot read the configs of topic ${topic.name}: ${resource?.errorMessage ?? 'no answer'}`,
        );
      }
      const overrides = new Map<string, string | null>();
      const effective = new Map<string, string>();
      for (const entry of resource.configEntries) {
        // kafkajs types the value as string; sensitive values come back as null.
        const value = entry.configValue as string | null;
        if (value !== null) effective.set(entry.configName, value);
        if (entry.configSource === ConfigSource.TOPIC_CONFIG) {
          overrides.set(entry.configName, entry.isSensitive ? null : value);
        }
      }
      topics.set(topic.name, {
        name: topic.name,
        partitions: topic.partitions.length,
        replicationFactor: Math.min(...topic.partitions.map((p) => p.replicas.length)),
        overrides,
        effective,
      });
    }
  }
  return { brokers: cluster.brokers.length, topics };
}
