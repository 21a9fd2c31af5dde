import { readFileSync } from 'node:fs';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import type { ClickHouseConfig } from '../config/schema.ts';
import { clickHouseLoggerClass } from '../log/clickhouse-logger.ts';
import type { Logger } from '../log/logger.ts';
import type { SchemaTarget } from '../schema/schema-target.ts';

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
 * A client for migrations, separate from the sink's: the user's default database as the
 * session database (the target database may not exist yet; every statement names its
 * database) and a timeout long enough for ON CLUSTER DDL. `wait_end_of_query` makes the
 * server answer only once a statement has finished, so a DDL that fails late still comes back
 * as an error status. Progress headers (which the client's warning about long timeouts
 * suggests, to keep load balancers from cutting idle requests) are left off on purpose: once
 * a header is out, the status is 200 and a late DDL error would hide in a discarded body.
 * Run migrations against a node, or raise the load balancer's idle timeout above
 * distributed_ddl_task_timeout.
 */
export function createMigrationClient(config: ClickHouseConfig, logger?: Logger): ClickHouseClient {
  const { caFile, certFile, keyFile } = config.tls;
  const tls =
    caFile === undefined
      ? undefined
      : certFile !== undefined && keyFile !== undefined
        ? {
            ca_cert: readFileSync(caFile),
            cert: readFileSync(certFile),
            key: readFileSync(keyFile),
          }
        : { ca_cert: readFileSync(caFile) };
  return createClient({
    url: config.url,
    username: config.username,
    password: config.password,
    application: 'hanzo-ingest-migrate',
    request_timeout: MIGRATION_REQUEST_TIMEOUT_MS,
    max_open_connections: 2,
    keep_alive: { enabled: true, idle_socket_ttl: config.keepAliveIdleMs },
    clickhouse_settings: { wait_end_of_query: 1 },
    log: {
      level: ClickHouseLogLevel.ERROR,
      ...(logger === undefined ? {} : { LoggerClass: clickHouseLoggerClass(logger) }),
    },
    ...(tls === undefined ? {} : { tls }),
  });
}
