import {
  Kafka,
  logLevel,
  type KafkaConfig as KafkaJsConfig,
  type LogEntry,
  type SASLOptions,
} from 'kafkajs';
import type { KafkaConfig } from '../config/schema.ts';
import { readSettingFile } from '../config/read-setting-file.ts';
import type { Logger } from '../log/logger.ts';
import { kafkaLogLevel } from '../log/kafka-log-level.ts';
import { installAbortedRecordFilter } from './aborted-records.ts';
import { installRecordDecoder } from './record-decoder.ts';
import {
  limitDecompressedBatches,
  registerCompressionCodecs,
} from './compression/register-compression-codecs.ts';

/**
 * Retry and timeout options a short-lived command may tighten (the worker keeps the
 * defaults below: it outlives broker restarts; a command run by hand should fail fast).
 */
export type KafkaClientTuning = Pick<
  KafkaJsConfig,
  'retry' | 'connectionTimeout' | 'requestTimeout' | 'logLevel'
>;

/**
 * A kafkajs client from our config: TLS and SASL options, logs routed into pino, every Kafka
 * compression codec (bounded), Kafka's filter of aborted transactions and a record decoder
 * that takes any headers (the one place clients are created, so no client lacks them).
 */
export function createKafka(
  config: KafkaConfig,
  logger: Logger,
  tuning: KafkaClientTuning = {},
): Kafka {
  registerCompressionCodecs();
  limitDecompressedBatches(config.maxDecompressedBatchBytes);
  installAbortedRecordFilter();
  if (!installRecordDecoder()) {
    logger.warn(
      "kafkajs decoded records before hanzo-ingest's record decoder was installed: headers keep kafkajs's decoding",
    );
  }
  if (config.sasl?.mechanism === 'plain' && !config.ssl.enabled) {
    logger.warn(
      { mechanism: 'plain' },
      'SASL PLAIN without TLS (KAFKA_SSL=false): the password crosses the network in clear text',
    );
  }
  return new Kafka({ ...kafkaClientOptions(config, logger), ...tuning });
}

/**
 * kafkajs options from our config. TLS (KAFKA_SSL): the brokers are verified against
 * KAFKA_SSL_CA_FILE (else Node's bundled CAs) unless KAFKA_SSL_REJECT_UNAUTHORIZED=false; a
 * client certificate and key make it mutual TLS. SASL: PLAIN, SCRAM-SHA-256 or -512.
 */
export function kafkaClientOptions(config: KafkaConfig, logger: Logger): KafkaJsConfig {
  const options: KafkaJsConfig = {
    clientId: config.clientId,
    brokers: [...config.brokers],
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => logKafkaEntry(logger, entry),
    retry: { initialRetryTime: 300, retries: 8, maxRetryTime: 30_000 },
    connectionTimeout: 10_000,
    requestTimeout: 30_000,
  };
  const { ssl } = config;
  if (ssl.enabled) {
    const pem = (setting: string, path: string): string =>
      readSettingFile(setting, path).toString('utf8');
    options.ssl = {
      rejectUnauthorized: ssl.rejectUnauthorized,
      ...(ssl.caFile === undefined ? {} : { ca: [pem('KAFKA_SSL_CA_FILE', ssl.caFile)] }),
      ...(ssl.certFile === undefined ? {} : { cert: pem('KAFKA_SSL_CERT_FILE', ssl.certFile) }),
      ...(ssl.keyFile === undefined ? {} : { key: pem('KAFKA_SSL_KEY_FILE', ssl.keyFile) }),
    };
  }
  if (config.sasl !== undefined) {
    const { mechanism, username, password } = config.sasl;
    options.sasl = { mechanism, username, password } as SASLOptions;
  }
  return options;
}

function logKafkaEntry(logger: Logger, entry: LogEntry): void {
  const { message, ...rest } = entry.log;
  logger[kafkaLogLevel(entry)]({ namespace: entry.namespace, ...rest }, message);
}
