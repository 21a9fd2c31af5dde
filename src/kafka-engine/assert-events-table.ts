import type { ClickHouseClient } from '@clickhouse/client';
import type { KafkaEngineObjects } from './object-names.ts';
import { EVENT_COLUMNS_FROM_KAFKA } from './pipeline-columns.ts';
import { KafkaEngineSetupError } from './setup-error.ts';

/** The events table must exist with every column the views write (migrations applied). */
export async function assertEventsTable(
  client: ClickHouseClient,
  objects: KafkaEngineObjects,
): Promise<void> {
  const [database = '', table = ''] = objects.eventsTable.split('.');
  const result = await client.query({
    query: 'SELECT name FROM system.columns WHERE database = {db:String} AND table = {t:String}',
    query_params: { db: database, t: table },
    format: 'JSONEachRow',
  });
  const columns = new Set((await result.json<{ name: string }>()).map((r) => r.name));
  if (columns.size === 0) {
    throw new KafkaEngineSetupError(
      `${objects.eventsTable} does not exist: apply the schema first (hanzo-ingest migrate up, or CLICKHOUSE_MIGRATE_ON_START=true)`,
    );
  }
  const missing = EVENT_COLUMNS_FROM_KAFKA.filter((c) => !columns.has(c));
  if (missing.length > 0) {
    throw new KafkaEngineSetupError(
      `${objects.eventsTable} lacks columns the Kafka-engine views write: ${missing.join(', ')} (pending migrations?)`,
    );
  }
}
