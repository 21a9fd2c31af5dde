import { Partitioners, type Admin, type Consumer, type Kafka, type Producer } from 'kafkajs';
import type { KafkaConfig } from '../config/schema.ts';

export interface GroupClients {
  readonly consumer: Consumer;
  /** Writes dead letters: idempotent, acks=all on every send. */
  readonly producer: Producer;
  /** Reads committed offsets with their metadata (the pending ranges). */
  readonly admin: Admin;
}

export interface GroupClientHooks {
  /** False once the worker is stopping: a consumer that crashed then must not rejoin. */
  readonly mayRestart?: () => boolean;
}

/** The three kafkajs clients one worker uses, configured from the kafka section. */
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
