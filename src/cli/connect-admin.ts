import type { Admin } from 'kafkajs';
import { logLevel } from 'kafkajs';
import type { KafkaConfig } from '../config/schema.ts';
import { createKafka, type KafkaClientTuning } from '../consume/create-kafka.ts';
import { IngestError, errorMessage } from '../errors.ts';
import type { Logger } from '../log/logger.ts';

/**
 * A command run by hand fails within seconds when the brokers cannot be reached, with one
 * message, instead of kafkajs's default minute of retries each logged as an error.
 */
export const FAIL_FAST: KafkaClientTuning = {
  retry: { initialRetryTime: 300, retries: 2, maxRetryTime: 2_000 },
  connectionTimeout: 3_000,
  requestTimeout: 10_000,
  // The one failure is reported by the caller, with its cause; retries are not news.
  logLevel: logLevel.NOTHING,
};

/** A connected admin client, or an error naming the brokers that could not be reached. */
export async function connectAdmin(config: KafkaConfig, logger: Logger): Promise<Admin> {
  const admin = createKafka(config, logger, FAIL_FAST).admin();
  try {
    await admin.connect();
  } catch (err) {
    throw new IngestError(
      `cannot reach the Kafka brokers ${config.brokers.join(',')} (KAFKA_BROKERS): ${errorMessage(err)}`,
      { retriable: true, cause: err },
    );
  }
  return admin;
}
