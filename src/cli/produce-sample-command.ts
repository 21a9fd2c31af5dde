import type { Command } from 'commander';
import { Partitioners, type CompressionTypes } from 'kafkajs';
import { loadConfig } from '../config/load-config.ts';
import { ConfigError } from '../errors.ts';
import { compressionTypeOf } from '../consume/compression/compression-type.ts';
import { CODEC_NAMES, type CodecName } from '../consume/compression/record-codec.ts';
import { createKafka } from '../consume/create-kafka.ts';
import { produceSampleEvents } from '../sample/produce-sample-events.ts';
import { createLogger } from '../log/logger.ts';

/**
 * `hanzo-ingest produce-sample`: the sample event producer of the compose stack (and a
 * smoke test against any cluster). Uses the worker's Kafka settings (brokers, TLS, SASL).
 */
export function registerProduceSampleCommand(program: Command): void {
  program
    .command('produce-sample')
    .description('produce realistic sample events (page views, product events, LLM usage)')
    .option('--rate <events>', 'events per second', '100')
    .option('--count <events>', 'stop after this many (default: until SIGTERM/SIGINT)')
    .option('--malformed-every <n>', 'every n-th message is malformed JSON (0: none)', '0')
    .option('--topic <topic>', 'topic to produce to (default: the first of KAFKA_TOPICS)')
    .option('--compression <codec>', 'none, gzip, snappy, lz4 or zstd', 'none')
    .action(
      async (
        options: {
          rate: string;
          count?: string;
          malformedEvery: string;
          topic?: string;
          compression: string;
        },
        command: Command,
      ) => {
        const configFile = command.parent?.opts<{ config?: string }>().config;
        const config = loadConfig(configFile === undefined ? {} : { configFile });
        const logger = createLogger(config.logLevel, config.workerId, 'stderr');
        const rate = positive('--rate', options.rate);
        const count = options.count === undefined ? undefined : positive('--count', options.count);
        const malformedEvery = whole('--malformed-every', options.malformedEvery);
        const compression = codec('--compression', options.compression);
        const topic = options.topic ?? config.kafka.topics[0] ?? 'hanzo_events';
        const producer = createKafka(config.kafka, logger.child({ component: 'kafka' })).producer({
          createPartitioner: Partitioners.DefaultPartitioner,
          idempotent: true,
        });
        const stop = new AbortController();
        for (const signal of ['SIGTERM', 'SIGINT'] as const) {
          process.once(signal, () => stop.abort());
        }
        await producer.connect();
        logger.info(
          { topic, rate, count, malformedEvery, compression: options.compression },
          'producing sample events',
        );
        try {
          const sent = await produceSampleEvents(producer, {
            topic,
            rate,
            count,
            malformedEvery,
            compression,
            signal: stop.signal,
          });
          logger.info({ topic, sent }, 'sample events produced');
        } finally {
          await producer.disconnect();
        }
      },
    );
}

function codec(flag: string, text: string): CompressionTypes {
  const names: readonly string[] = ['none', ...CODEC_NAMES];
  if (!names.includes(text)) {
    throw new ConfigError([`${flag}: expected one of ${names.join(', ')}, got "${text}"`]);
  }
  return compressionTypeOf(text as CodecName | 'none');
}

function positive(flag: string, text: string): number {
  const value = whole(flag, text);
  if (value === 0) throw new ConfigError([`${flag}: must be above 0`]);
  return value;
}

function whole(flag: string, text: string): number {
  if (!/^\d+$/.test(text))
    throw new ConfigError([`${flag}: expected a whole number, got "${text}"`]);
  return Number(text);
}
