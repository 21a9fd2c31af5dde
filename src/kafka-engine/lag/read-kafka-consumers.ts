import type { ClickHouseClient } from '@clickhouse/client';
import type { KafkaConsumerRow } from './summarize-kafka-engine-lag.ts';

/**
 * One row of the query below as JSONEachRow returns it: 64-bit integers quoted
 * (`output_format_json_quote_64bit_integers`, on by default), times as Unix seconds so no
 * server time zone gets in the way.
 */
export interface RawKafkaConsumerRow {
  readonly consumer_id: string;
  readonly topics: readonly string[];
  readonly partitions: readonly number[];
  readonly offsets: readonly (string | number)[];
  readonly exception_times: readonly (string | number)[];
  readonly exception_texts: readonly string[];
  readonly num_messages_read: string | number;
  readonly num_commits: string | number;
  readonly last_poll_time: string | number;
  readonly last_commit_time: string | number;
  readonly last_rebalance_time: string | number;
  readonly num_rebalance_assignments: string | number;
  readonly num_rebalance_revocations: string | number;
  readonly is_currently_used: number | boolean;
}

/** The columns of `system.kafka_consumers` (ClickHouse 23.8+; checked on 26.7) the lag uses. */
export const KAFKA_CONSUMERS_QUERY = `SELECT
    consumer_id,
    assignments.topic AS topics,
    assignments.partition_id AS partitions,
    assignments.current_offset AS offsets,
    arrayMap(t -> toUnixTimestamp(t), exceptions.time) AS exception_times,
    exceptions.text AS exception_texts,
    num_messages_read,
    num_commits,
    toUnixTimestamp(last_poll_time) AS last_poll_time,
    toUnixTimestamp(last_commit_time) AS last_commit_time,
    toUnixTimestamp(last_rebalance_time) AS last_rebalance_time,
    num_rebalance_assignments,
    num_rebalance_revocations,
    is_currently_used
FROM system.kafka_consumers
WHERE database = {db:String} AND table = {t:String}
ORDER BY consumer_id`;

/** The consumers of one Kafka table (`database.table`), from `system.kafka_consumers`. */
export async function readKafkaConsumers(
  client: ClickHouseClient,
  kafkaTable: string,
): Promise<KafkaConsumerRow[]> {
  const [database = '', table = ''] = kafkaTable.split('.');
  const result = await client.query({
    query: KAFKA_CONSUMERS_QUERY,
    query_params: { db: database, t: table },
    format: 'JSONEachRow',
  });
  return (await result.json<RawKafkaConsumerRow>()).map(toKafkaConsumerRow);
}

export function toKafkaConsumerRow(r: RawKafkaConsumerRow): KafkaConsumerRow {
  return {
    consumerId: r.consumer_id,
    assignments: r.topics.map((topic, i) => ({
      topic,
      partition: Number(r.partitions[i] ?? -1),
      currentOffset: BigInt(r.offsets[i] ?? -1),
    })),
    exceptions: r.exception_texts.map((text, i) => ({
      atSeconds: Number(r.exception_times[i] ?? 0),
      text,
    })),
    messagesRead: Number(r.num_messages_read),
    commits: Number(r.num_commits),
    lastPollSeconds: Number(r.last_poll_time),
    lastCommitSeconds: Number(r.last_commit_time),
    lastRebalanceSeconds: Number(r.last_rebalance_time),
    rebalanceAssignments: Number(r.num_rebalance_assignments),
    rebalanceRevocations: Number(r.num_rebalance_revocations),
    isCurrentlyUsed: r.is_currently_used === true || r.is_currently_used === 1,
  };
}
