import { Partitioners, type Admin, type Consumer, type Kafka, type Producer } from 'kafkajs';
import type { KafkaConfig } from '../config/schema.ts';

export interface GroupClients {
  readonly consumer: Consumer;
  /** Writes dead letters: idempotent, acks=all on every send. */
  readonly producer: Producer;
  /** Reads committed offsets with their metadata (the pending ranges). */
  readonly admin: Admin;
}

/** The three kafkajs clients one worker uses, configured from the kafka section. */
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
    producer: kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      // An idempotent producer must not give up on its own; our own retry wraps each send.
      retry: { retries: Number.MAX_SAFE_INTEGER, maxRetryTime: 30_000 },
    }),
    admin: kafka.admin(),
  };
}
