import type { ClickHouseClient } from '@clickhouse/client';
import type { ClickHouseConfig, InsertConfig } from '../config/schema.ts';
import type { SchemaTarget } from '../schema/schema-target.ts';
import { createClickHouseClient } from '../sink/create-clickhouse-client.ts';

/** DDL on a cluster waits for every host (distributed_ddl_task_timeout: 180 s by default). */
const MIGRATION_REQUEST_TIMEOUT_MS = 10 * 60_000;

/** The schema the worker's configuration points at. */
export function schemaTargetOf(config: ClickHouseConfig): SchemaTarget {
  return {
    database: config.database,
    eventsTable: config.table,
    cluster: config.cluster,
    distributed: config.distributed,
  };
}

/**
 * A client for migrations: the user's default database as the session database (the target
 * database may not exist yet; every statement names its database) and a timeout long enough
 * for ON CLUSTER DDL.
 */
export function createMigrationClient(
  config: ClickHouseConfig,
  insert: InsertConfig,
): ClickHouseClient {
  return createClickHouseClient(
    { ...config, database: 'default' },
    { ...insert, timeoutMs: MIGRATION_REQUEST_TIMEOUT_MS },
  );
}
