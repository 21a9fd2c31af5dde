import { readFileSync } from 'node:fs';
import {
  Kafka,
  logLevel,
  type KafkaConfig as KafkaJsConfig,
  type LogEntry,
  type SASLOptions,
} from 'kafkajs';
import type { KafkaConfig } from '../config/schema.ts';
import type { Logger } from '../observe/logger.ts';

/** A kafkajs client from our config: TLS and SASL options, logs routed into pino. */
export function createKafka(config: KafkaConfig, logger: Logger): Kafka {
  const options: KafkaJsConfig = {
    clientId: config.clientId,
    brokers: [...config.brokers],
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => logKafkaEntry(logger, entry),
    retry: { initialRetryTime: 300, retries: 8, maxRetryTime: 30_000 },
    connectionTimeout: 10_000,
    requestTimeout: 30_000,
  };
  if (config.ssl.enabled) {
    options.ssl = {
      rejectUnauthorized: config.ssl.rejectUnauthorized,
      ...(config.ssl.caFile === undefined ? {} : { ca: [readFileSync(config.ssl.caFile, 'utf8')] }),
      ...(config.ssl.certFile === undefined
        ? {}
        : { cert: readFileSync(config.ssl.certFile, 'utf8') }),
      ...(config.ssl.keyFile === undefined
        ? {}
        : { key: readFileSync(config.ssl.keyFile, 'utf8') }),
    };
  }
  if (config.sasl !== undefined) {
    const { mechanism, username, password } = config.sasl;
    options.sasl = { mechanism, username, password } as SASLOptions;
  }
  return new Kafka(options);
}

function logKafkaEntry(logger: Logger, entry: LogEntry): void {
  const { message, ...rest } = entry.log;
  const fields = { namespace: entry.namespace, ...rest };
  if (entry.level <= logLevel.ERROR) logger.error(fields, message);
  else if (entry.level === logLevel.WARN) logger.warn(fields, message);
  else logger.debug(fields, message);
}
