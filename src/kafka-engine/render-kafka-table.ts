import type { KafkaEngineObjects } from './object-names.ts';
import { sqlString } from './sql-literal.ts';

/** Settings of the Kafka table (HIP-47's Kafka-engine path). */
export interface KafkaTableSettings {
  readonly brokers: readonly string[];
  readonly topics: readonly string[];
  /** The consumer group: the worker mode's group, so a mode switch hands over at its offsets. */
  readonly groupName: string;
  readonly clientId: string;
  readonly numConsumers: number;
  readonly maxBlockSize: number;
  readonly flushIntervalMs: number;
  readonly threadPerConsumer: boolean;
}

/** The Kafka table's DDL (without its comment): one row per message, the bytes as they are. */
export function renderKafkaTable(
  objects: KafkaEngineObjects,
  kafka: KafkaTableSettings,
  on: string,
): string {
  const settings: [string, string][] = [
    ['kafka_broker_list', sqlString(kafka.brokers.join(','))],
    ['kafka_topic_list', sqlString(kafka.topics.join(','))],
    ['kafka_group_name', sqlString(kafka.groupName)],
    ['kafka_client_id', sqlString(kafka.clientId)],
    // One row per message, the bytes as they are: every rule lives in the parse view.
    ['kafka_format', "'RawBLOB'"],
    ['kafka_num_consumers', String(kafka.numConsumers)],
    ['kafka_max_block_size', String(kafka.maxBlockSize)],
    ['kafka_flush_interval_ms', String(kafka.flushIntervalMs)],
    ['kafka_thread_per_consumer', kafka.threadPerConsumer ? '1' : '0'],
    ['kafka_handle_error_mode', "'stream'"],
  ];
  return [
    `CREATE TABLE IF NOT EXISTS ${objects.kafkaTable}${on}`,
    '(\n    message String\n)',
    'ENGINE = Kafka',
    `SETTINGS\n${settings.map(([k, v]) => `    ${k} = ${v}`).join(',\n')}`,
  ].join('\n');
}
