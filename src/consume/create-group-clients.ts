import type { Admin, Consumer, Kafka } from 'kafkajs';
import type { KafkaConfig } from '../config/schema.ts';

export interface GroupClients {
  readonly consumer: Consumer;
  /** Reads committed offsets with their metadata (the pending ranges). */
  readonly admin: Admin;
}

/** The group's kafkajs clients, configured from the kafka section (the DLQ producer: src/dlq). */
export function createGroupClients(kafka: Kafka, config: KafkaConfig): GroupClients {
  return {
    consumer: kafka.consumer({
      groupId: config.groupId,
      sessionTimeout: config.sessionTimeoutMs,
      rebalanceTimeout: config.rebalanceTimeoutMs,
      heartbeatInterval: config.heartbeatIntervalMs,
      maxBytes: config.fetchMaxBytes,
      maxBytesPerPartition: config.fetchMaxBytesPerPartition,
      maxWaitTimeInMs: config.fetchMaxWaitMs,
      allowAutoTopicCreation: false,
    }),
    admin: kafka.admin(),
  };
}
