import type { ClickHouseClient } from '@clickhouse/client';
import type { KafkaConsumerRow } from './summarize-kafka-engine-lag.ts';

interface RawRow {
  consumer_id: string;
  topics: string[];
  partitions: number[];
  offsets: string[];
  exception_times: string[];
  exception_texts: string[];
  num_messages_read: string | number;
  num_commits: string | number;
  last_poll_time: string;
  is_currently_used: number | boolean;
}

/** The consumers of one Kafka table, from `system.kafka_consumers`. */
export async function readKafkaConsumers(
  client: ClickHouseClient,
  kafkaTable: string,
): Promise<KafkaConsumerRow[]> {
  const [database = '', table = ''] = kafkaTable.split('.');
  const result = await client.query({
    query: `SELECT
    consumer_id,
    assignments.topic AS topics,
    assignments.partition_id AS partitions,
    arrayMap(o -> toString(o), assignments.current_offset) AS offsets,
    arrayMap(t -> toString(t), exceptions.time) AS exception_times,
    exceptions.text AS exception_texts,
    num_messages_read,
    num_commits,
    toString(last_poll_time) AS last_poll_time,
    is_currently_used
FROM system.kafka_consumers
WHERE database = {db:String} AND table = {t:String}`,
    query_params: { db: database, t: table },
    format: 'JSONEachRow',
  });
  return (await result.json<RawRow>()).map((r) => ({
    consumerId: r.consumer_id,
    assignments: r.topics.map((topic, i) => ({
      topic,
      partition: Number(r.partitions[i] ?? -1),
      currentOffset: BigInt(r.offsets[i] ?? '-1'),
    })),
    exceptions: r.exception_texts.map((text, i) => ({ time: r.exception_times[i] ?? '', text })),
    messagesRead: Number(r.num_messages_read),
    commits: Number(r.num_commits),
    lastPollTime: r.last_poll_time,
    isCurrentlyUsed: r.is_currently_used === true || r.is_currently_used === 1,
  }));
}
