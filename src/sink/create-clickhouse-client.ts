import {
  ClickHouseLogLevel,
  createClient,
  type ClickHouseClient,
  type ClickHouseClientConfigOptions,
} from '@clickhouse/client';
import type { ClickHouseConfig, InsertConfig } from '../config/schema.ts';
import { readSettingFile } from '../config/read-setting-file.ts';
import { clickHouseLoggerClass } from '../log/clickhouse-logger.ts';
import type { Logger } from '../log/logger.ts';

/** The @clickhouse/client the sink uses: keep-alive below the server's, bounded sockets. */
export function createClickHouseClient(
  config: ClickHouseConfig,
  insert: InsertConfig,
  logger?: Logger,
): ClickHouseClient {
  return createClient(clickHouseClientOptions(config, insert, logger));
}

/**
 * The client's options from our config. TLS: with CLICKHOUSE_TLS_CA_FILE the server is
 * verified against that CA (else against Node's bundled CAs, for an https URL); with the
 * certificate and key files too, the client authenticates with them (mutual TLS). The
 * config schema guarantees cert and key come together, with a CA, on an https URL.
 */
export function clickHouseClientOptions(
  config: ClickHouseConfig,
  insert: InsertConfig,
  logger?: Logger,
): ClickHouseClientConfigOptions {
  const { caFile, certFile, keyFile } = config.tls;
  const ca = caFile === undefined ? undefined : readSettingFile('CLICKHOUSE_TLS_CA_FILE', caFile);
  const tls =
    ca === undefined
      ? undefined
      : certFile !== undefined && keyFile !== undefined
        ? {
            ca_cert: ca,
            cert: readSettingFile('CLICKHOUSE_TLS_CERT_FILE', certFile),
            key: readSettingFile('CLICKHOUSE_TLS_KEY_FILE', keyFile),
          }
        : { ca_cert: ca };
  return {
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
    // The client's own warnings as JSON through pino (its default logger prints plain text).
    ...(logger === undefined
      ? {}
      : { log: { LoggerClass: clickHouseLoggerClass(logger), level: ClickHouseLogLevel.WARN } }),
  };
}
