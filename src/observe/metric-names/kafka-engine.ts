import type { MetricSpec } from './metric-spec.ts';

/**
 * Mode kafka-engine: ClickHouse's own consumers, from system.kafka_consumers (read with the
 * lag; `table` is the Kafka table, `consumer` ClickHouse's consumer_id). Counters restart
 * when ClickHouse re-creates a consumer, which rate() and increase() handle.
 */
export const KAFKA_ENGINE_METRICS = {
  kafkaEngineConsumers: {
    name: 'hanzo_ingest_kafka_engine_consumers',
    kind: 'gauge',
    help: 'Consumers ClickHouse runs for the Kafka table (system.kafka_consumers)',
    labels: ['table'],
  },
  kafkaEngineUnassignedPartitions: {
    name: 'hanzo_ingest_kafka_engine_unassigned_partitions',
    kind: 'gauge',
    help: 'Partitions of the consumed topics that no Kafka-engine consumer holds',
    labels: ['table'],
  },
  kafkaEngineUncommitted: {
    name: 'hanzo_ingest_kafka_engine_uncommitted_messages',
    kind: 'gauge',
    help: "Messages the Kafka-engine consumer read past the group's committed offset (a block being parsed and inserted)",
    labels: ['table', 'topic', 'partition'],
  },
  kafkaEngineAssignedPartitions: {
    name: 'hanzo_ingest_kafka_engine_assigned_partitions',
    kind: 'gauge',
    help: 'Partitions assigned to the Kafka-engine consumer',
    labels: ['table', 'consumer'],
  },
  kafkaEngineMessagesRead: {
    name: 'hanzo_ingest_kafka_engine_messages_read_total',
    kind: 'counter',
    help: 'Messages the Kafka-engine consumer read (num_messages_read)',
    labels: ['table', 'consumer'],
  },
  kafkaEngineCommits: {
    name: 'hanzo_ingest_kafka_engine_commits_total',
    kind: 'counter',
    help: 'Offset commits of the Kafka-engine consumer (num_commits)',
    labels: ['table', 'consumer'],
  },
  kafkaEngineRebalances: {
    name: 'hanzo_ingest_kafka_engine_rebalances_total',
    kind: 'counter',
    help: 'Rebalance events of the Kafka-engine consumer, by event (assigned, revoked)',
    labels: ['table', 'consumer', 'event'],
  },
  kafkaEngineLastPoll: {
    name: 'hanzo_ingest_kafka_engine_last_poll_timestamp_seconds',
    kind: 'gauge',
    help: "Unix time of the Kafka-engine consumer's last poll (0: never)",
    labels: ['table', 'consumer'],
  },
  kafkaEngineLastCommit: {
    name: 'hanzo_ingest_kafka_engine_last_commit_timestamp_seconds',
    kind: 'gauge',
    help: "Unix time of the Kafka-engine consumer's last offset commit (0: never)",
    labels: ['table', 'consumer'],
  },
  kafkaEngineLastException: {
    name: 'hanzo_ingest_kafka_engine_last_exception_timestamp_seconds',
    kind: 'gauge',
    help: "Unix time of the Kafka-engine consumer's newest exception (0: none kept)",
    labels: ['table', 'consumer'],
  },
  kafkaEngineRecentExceptions: {
    name: 'hanzo_ingest_kafka_engine_recent_exceptions',
    kind: 'gauge',
    help: 'Exceptions ClickHouse keeps for the Kafka-engine consumer (its 10 most recent)',
    labels: ['table', 'consumer'],
  },
  kafkaEngineConsumerInUse: {
    name: 'hanzo_ingest_kafka_engine_consumer_in_use',
    kind: 'gauge',
    help: '1 while ClickHouse uses the Kafka-engine consumer (is_currently_used), else 0',
    labels: ['table', 'consumer'],
  },
} as const satisfies Record<string, MetricSpec>;
