import type { Admin, Consumer, Kafka } from 'kafkajs';
import type { KafkaConfig } from '../config/schema.ts';

export interface GroupClients {
  readonly consumer: Consumer;
  /** Reads committed offsets with their metadata (the pending ranges). */
  readonly admin: Admin;
}

export interface GroupClientHooks {
  /** False once the worker is stopping: a consumer that crashed then must not rejoin. */
  readonly mayRestart?: () => boolean;
}

/** The group's kafkajs clients, configured from the kafka section (the DLQ producer: src/dlq). */
export function createGroupClients(
  kafka: Kafka,
  config: KafkaConfig,
  hooks: GroupClientHooks = {},
): GroupClients {
  const mayRestart = hooks.mayRestart ?? (() => true);
  return {
    consumer: kafka.consumer({
      // kafkajs's own default is 5 retries; kept. Without the hook a consumer that crashed
      // during a rebalance restarts on a timer even after stop() disconnected it, and joins
      // the group again behind the worker's back.
      retry: { retries: 5, restartOnFailure: () => Promise.resolve(mayRestart()) },
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
