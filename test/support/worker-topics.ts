import type { Kafka } from 'kafkajs';
import { createTopics } from './kafka.ts';
import { uniqueName } from './stack-env.ts';

/** One test's topic, its DLQ topic, table and group, and the settings a worker needs for them. */
export interface WorkerTopics {
  readonly topic: string;
  readonly dlq: string;
  readonly table: string;
  readonly group: string;
  readonly env: Readonly<{
    KAFKA_TOPICS: string;
    KAFKA_DLQ_TOPIC: string;
    KAFKA_GROUP_ID: string;
    CLICKHOUSE_TABLE: string;
  }>;
}

/** Creates a topic and its DLQ (one partition unless told) under names no other test uses. */
export async function createWorkerTopics(
  kafka: Kafka,
  name: string,
  partitions: number,
  dlqPartitions = 1,
): Promise<WorkerTopics> {
  const topic = uniqueName(name);
  const dlq = `${topic}_dlq`;
  const table = uniqueName(name);
  const group = uniqueName('group');
  await createTopics(kafka, [
    { topic, partitions },
    { topic: dlq, partitions: dlqPartitions },
  ]);
  const env = {
    KAFKA_TOPICS: topic,
    KAFKA_DLQ_TOPIC: dlq,
    KAFKA_GROUP_ID: group,
    CLICKHOUSE_TABLE: table,
  };
  return { topic, dlq, table, group, env };
}
