import { z } from 'zod';
import { group, setting } from './setting.ts';
import { positiveInt } from './value-types.ts';

const identifier = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a plain SQL identifier (letters, digits, _)');

/** The ClickHouse server, its credentials and the events table. */
export const CLICKHOUSE_SETTINGS = {
  url: setting({
    env: 'CLICKHOUSE_URL',
    type: z.url(),
    default: 'http://127.0.0.1:8123',
    doc: 'ClickHouse HTTP(S) URL',
  }),
  username: setting({
    env: 'CLICKHOUSE_USER',
    type: z.string(),
    default: 'default',
    doc: 'ClickHouse user',
  }),
  password: setting({
    env: 'CLICKHOUSE_PASSWORD',
    type: z.string(),
    default: '',
    doc: 'ClickHouse password',
    secret: true,
    fromFile: true,
  }),
  database: setting({
    env: 'CLICKHOUSE_DATABASE',
    type: identifier,
    default: 'default',
    doc: 'Database of the events table',
  }),
  table: setting({
    env: 'CLICKHOUSE_TABLE',
    type: identifier,
    default: 'events',
    doc: 'Events table',
  }),
  tls: group({
    caFile: setting({
      env: 'CLICKHOUSE_TLS_CA_FILE',
      type: z.string(),
      optional: true,
      doc: 'CA bundle (PEM) for an https URL',
    }),
    certFile: setting({
      env: 'CLICKHOUSE_TLS_CERT_FILE',
      type: z.string(),
      optional: true,
      doc: 'Client certificate (PEM) for mutual TLS',
    }),
    keyFile: setting({
      env: 'CLICKHOUSE_TLS_KEY_FILE',
      type: z.string(),
      optional: true,
      doc: 'Client key (PEM) for mutual TLS',
    }),
  }),
  /** Kept at or below the server's max_open_connections share for this worker. */
  maxOpenConnections: setting({
    env: 'CLICKHOUSE_MAX_OPEN_CONNECTIONS',
    type: positiveInt,
    default: 8,
    doc: 'HTTP connections to ClickHouse',
  }),
  /**
   * Off by default: on a fast network it costs the worker ~13 µs of CPU per event, a quarter
   * of its work (BENCHMARKS.md); turn it on when bandwidth to ClickHouse is what is scarce or
   * billed.
   */
  requestCompression: setting({
    env: 'CLICKHOUSE_REQUEST_COMPRESSION',
    type: z.boolean(),
    default: false,
    doc: 'gzip insert bodies',
  }),
  /** The server's keep_alive_timeout is 3 s on older servers, 10 s on 24.x+. */
  keepAliveIdleMs: setting({
    env: 'CLICKHOUSE_KEEP_ALIVE_IDLE_MS',
    type: positiveInt,
    default: 2_500,
    doc: 'Idle socket lifetime, below the server keep_alive_timeout',
  }),
  /** The migrations of schemas/migrations. */
  migrateOnStart: setting({
    env: 'CLICKHOUSE_MIGRATE_ON_START',
    type: z.boolean(),
    default: false,
    doc: 'Apply pending migrations at start-up',
  }),
  cluster: setting({
    env: 'CLICKHOUSE_CLUSTER',
    type: z
      .string()
      .regex(/^[A-Za-z0-9_.{}-]*$/, 'must be a cluster name or a macro such as {cluster}'),
    default: '',
    doc: 'Cluster for ON CLUSTER DDL and Replicated tables (`{cluster}`: the server macro); empty: single node',
  }),
  /** The Distributed tables carry the HIP-47 names. */
  distributed: setting({
    env: 'CLICKHOUSE_DISTRIBUTED',
    type: z.boolean(),
    default: false,
    doc: 'Distributed tables in front of sharded `<table>_local` tables (needs CLICKHOUSE_CLUSTER)',
  }),
};
