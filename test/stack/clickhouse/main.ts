/**
 * The local ClickHouse server process: ClickHouse's HTTP interface over chDB's
 * in-process engine and one persistent data directory, so several processes
 * share one database exactly as they would share a real server.
 *
 * Prints one JSON line `{"ready":true,"url":…,"version":…}` on stdout once it
 * listens (and sends the same object over IPC when it has a channel). Stops
 * gracefully on SIGTERM / SIGINT, and when its parent's IPC channel closes.
 */
import { pino } from 'pino';
import { ChdbExecutor } from './chdb-executor.ts';
import { ClickHouseHttpServer } from './http-server.ts';
import { parseServerConfig, ServerConfigError } from './server-config.ts';

/** In-flight requests get this long to finish before the process gives up on them. */
const STOP_GRACE_MS = 20_000;

const log = pino({
  name: 'clickhouse-http',
  level: process.env['CLICKHOUSE_HTTP_LOG_LEVEL'] ?? 'info',
});

let config;
try {
  config = parseServerConfig(process.argv.slice(2), process.env);
} catch (error) {
  if (!(error instanceof ServerConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(2);
}

let executor: ChdbExecutor;
try {
  executor = await ChdbExecutor.open(config.dataDir, log);
} catch (error) {
  // Typically: another server already holds this data directory's lock.
  log.error({ err: error, dataDir: config.dataDir }, 'cannot open the chDB data directory');
  process.exit(1);
}
const server = new ClickHouseHttpServer({
  executor,
  users: new Map([[config.user, config.password]]),
  log,
});
let port: number;
try {
  ({ port } = await server.listen(config.port, config.host));
} catch (error) {
  log.error({ err: error, port: config.port }, 'cannot listen');
  await executor.close();
  process.exit(1);
}

const ready = { ready: true, url: `http://${config.host}:${port}`, version: executor.version };
process.stdout.write(`${JSON.stringify(ready)}\n`);
process.send?.(ready);
log.info({ ...ready, dataDir: config.dataDir, user: config.user }, 'listening');

let stopping = false;
function stop(reason: string): void {
  if (stopping) return;
  stopping = true;
  log.info({ reason }, 'stopping');
  setTimeout(() => {
    log.error({ graceMs: STOP_GRACE_MS }, 'in-flight requests did not finish in time');
    process.exit(1);
  }, STOP_GRACE_MS).unref();
  server.stop().then(
    () => {
      log.info({}, 'stopped');
      process.exit(0);
    },
    (error: unknown) => {
      log.error({ err: error }, 'stop failed');
      process.exit(1);
    },
  );
}

process.once('SIGTERM', () => stop('SIGTERM'));
process.once('SIGINT', () => stop('SIGINT'));
// The parent went away (even by SIGKILL): do not outlive it.
process.once('disconnect', () => stop('parent disconnected'));
