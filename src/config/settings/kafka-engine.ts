import { z } from 'zod';
import { setting } from './setting.ts';
import { positiveInt } from './value-types.ts';

/**
 * `mode: kafka-engine`: ClickHouse's Kafka table engine consumes the topics itself (HIP-47's
 * native path); the worker process only applies the DDL and exports lag. Same consumer group
 * as the worker mode (kafka.groupId), so a switch hands over at the committed offsets.
 */
export const KAFKA_ENGINE_SETTINGS = {
  /** HIP-47: 4; at most the partitions and the server's cores. */
  numConsumers: setting({
    env: 'KAFKA_ENGINE_NUM_CONSUMERS',
    type: positiveInt.max(64),
    default: 4,
    doc: 'kafka-engine mode: consumers per ClickHouse server (≤ partitions and cores)',
  }),
  /** HIP-47: 65536. */
  maxBlockSize: setting({
    env: 'KAFKA_ENGINE_MAX_BLOCK_SIZE',
    type: positiveInt,
    default: 65_536,
    doc: 'kafka-engine mode: messages per block handed to the views',
  }),
  /** kafka_flush_interval_ms. */
  flushIntervalMs: setting({
    env: 'KAFKA_ENGINE_FLUSH_INTERVAL_MS',
    type: positiveInt,
    default: 7_500,
    doc: 'kafka-engine mode: flush a block at least this often',
  }),
  /** kafka_thread_per_consumer. */
  threadPerConsumer: setting({
    env: 'KAFKA_ENGINE_THREAD_PER_CONSUMER',
    type: z.boolean(),
    default: false,
    doc: 'kafka-engine mode: one thread per consumer, flushing independently',
  }),
  /** Loaded into an ip_trie dictionary. */
  geoNetworksFile: setting({
    env: 'KAFKA_ENGINE_GEO_NETWORKS_FILE',
    type: z.string().min(1),
    optional: true,
    doc: 'kafka-engine mode: CSV network,country_code,region,city for geo in SQL (ip_trie)',
  }),
};
