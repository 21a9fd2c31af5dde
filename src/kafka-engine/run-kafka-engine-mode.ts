import type { Config } from '../config/schema.ts';
import { IngestError } from '../errors.ts';
import { schemaTargetOf } from '../migrate/migrate-from-config.ts';
import type { Logger } from '../log/logger.ts';
import { createClickHouseClient } from '../sink/create-clickhouse-client.ts';
import { kafkaEnginePipelineExists } from './apply-kafka-engine.ts';
import { kafkaEngineObjects } from './object-names.ts';
import { runKafkaEngine } from './run-kafka-engine.ts';

/**
 * `run` in kafka-engine mode, as main.ts calls it: schema first (the same start-up
 * migrations as worker mode), then the Kafka-engine pipeline, then lag until SIGTERM/SIGINT.
 */
export async function runKafkaEngineMode(
  config: Readonly<Config>,
  logger: Logger,
  prepareClickHouse: (config: Readonly<Config>, logger: Logger) => Promise<void>,
): Promise<number> {
  await prepareClickHouse(config, logger);
  const stop = new AbortController();
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'stopping (the Kafka-engine pipeline keeps consuming in ClickHouse)');
      stop.abort();
    });
  }
  return runKafkaEngine(config, logger, stop.signal);
}

/** Worker mode must not start while ClickHouse's Kafka engine consumes the same group. */
export class KafkaEngineStillRunningError extends IngestError {
  constructor(kafkaTable: string, groupId: string) {
    super(
      `a Kafka-engine pipeline (${kafkaTable}) consumes group ${groupId}: run \`hanzo-ingest kafka-engine stop\` first (it stops the pipeline and hands the group's offsets over), then start workers`,
      { retriable: false },
    );
  }
}

export async function assertNoKafkaEnginePipeline(
  config: Readonly<Config>,
  logger: Logger,
): Promise<void> {
  const objects = kafkaEngineObjects(schemaTargetOf(config.clickhouse));
  const client = createClickHouseClient(config.clickhouse, config.insert, logger);
  try {
    if (await kafkaEnginePipelineExists(client, objects)) {
      throw new KafkaEngineStillRunningError(objects.kafkaTable, config.kafka.groupId);
    }
  } finally {
    await client.close();
  }
}
