import { readFileSync } from 'node:fs';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import type { ClickHouseConfig, InsertConfig } from '../config/schema.ts';

/** The @clickhouse/client the sink uses: keep-alive below the server's, bounded sockets. */
export function createClickHouseClient(
  config: ClickHouseConfig,
  insert: InsertConfig,
): ClickHouseClient {
  const tls =
    config.tls.caFile === undefined
      ? undefined
      : config.tls.certFile !== undefined && config.tls.keyFile !== undefined
        ? {
            ca_cert: readFileSync(config.tls.caFile),
            cert: readFileSync(config.tls.certFile),
            key: readFileSync(config.tls.keyFile),
          }
        : { ca_cert: readFileSync(config.tls.caFile) };
  return createClient({
    url: config.url,
    username: config.username,
    password: config.password,
    database: config.database,
    application: 'hanzo-ingest',
    request_timeout: insert.timeoutMs,
    max_open_connections: config.maxOpenConnections,
    compression: { request: config.requestCompression, response: false },
    keep_alive: { enabled: true, idle_socket_ttl: config.keepAliveIdleMs },
    ...(tls === undefined ? {} : { tls }),
  });
}
