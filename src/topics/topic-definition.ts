import { z } from 'zod';

/**
 * One Kafka topic as `topics/<name>.json` declares it: what the cluster must have
 * (partitions, replication factor, topic-level configs) and what flows through it (message
 * formats and schema, the ClickHouse table it lands in, its dead-letter topic). The files
 * are the one list of topic names; `hanzo-ingest topics apply` makes the cluster match them
 * and native (Kafka-engine) mode renders its DDL from them.
 */

export const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;
const SQL_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Kafka topic config names are lower-case dotted words (`retention.ms`, `cleanup.policy`). */
const CONFIG_NAME = /^[a-z][a-z0-9]*(\.[a-z0-9]+)*$/;

export const MESSAGE_FORMATS = ['json', 'avro', 'avro-confluent', 'dead-letter'] as const;
export type MessageFormat = (typeof MESSAGE_FORMATS)[number];

const messageSchema = z.strictObject({
  /**
   * What producers may write. `json` and `avro-confluent` can share a topic (the worker
   * tells them apart by the first byte); `dead-letter` is the original bytes of a message
   * from the source topic, with `hanzo.dlq.*` headers saying why it was rejected.
   */
  formats: z.array(z.enum(MESSAGE_FORMATS)).min(1),
  /** Avro schema file of the events (relative to the folder above topics/), or null. */
  schema: z.string().min(1).nullable(),
  /** What the message key carries and why (ordering per key within a partition). */
  key: z.string().min(1),
});

export const topicDefinitionSchema = z
  .strictObject({
    name: z.string().regex(TOPIC_NAME, 'must be a valid Kafka topic name'),
    description: z.string().min(1),
    partitions: z.number().int().min(1).max(10_000),
    replicationFactor: z.number().int().min(1).max(32),
    /**
     * Topic-level overrides, values as Kafka writes them (strings). Only these are managed:
     * overrides set on the cluster but absent here are left as they are.
     */
    config: z
      .record(z.string(), z.string())
      .superRefine((config, ctx) => {
        for (const name of Object.keys(config)) {
          if (!CONFIG_NAME.test(name)) {
            ctx.addIssue({
              code: 'custom',
              path: [name],
              message: 'is not a Kafka topic config name',
            });
          }
        }
      })
      .default({}),
    message: messageSchema,
    /** The ClickHouse table the events land in, or null (a dead-letter topic lands nowhere). */
    table: z.string().regex(SQL_IDENTIFIER, 'must be a plain SQL identifier').nullable(),
    /** Where messages that cannot become rows go, or null. */
    deadLetterTopic: z.string().regex(TOPIC_NAME, 'must be a valid Kafka topic name').nullable(),
  })
  .superRefine((t, ctx) => {
    const minIsr = t.config['min.insync.replicas'];
    if (minIsr !== undefined && !(Number(minIsr) >= 1 && Number(minIsr) <= t.replicationFactor)) {
      ctx.addIssue({
        code: 'custom',
        path: ['config', 'min.insync.replicas'],
        message: `must be from 1 to the replication factor (${t.replicationFactor}); above it, producers with acks=all fail`,
      });
    }
    if (t.message.formats.includes('dead-letter') && t.message.formats.length > 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['message', 'formats'],
        message: 'a dead-letter topic carries only dead letters',
      });
    }
    const avro = t.message.formats.some((f) => f === 'avro' || f === 'avro-confluent');
    if (avro && t.message.schema === null) {
      ctx.addIssue({
        code: 'custom',
        path: ['message', 'schema'],
        message: 'Avro messages need a schema file',
      });
    }
    if (t.deadLetterTopic === t.name) {
      ctx.addIssue({
        code: 'custom',
        path: ['deadLetterTopic'],
        message: 'must not be the topic itself',
      });
    }
  });

export type TopicDefinition = z.infer<typeof topicDefinitionSchema>;
