import type {
  Logger as ClickHouseLogger,
  ErrorLogParams,
  LogParams,
  WarnLogParams,
} from '@clickhouse/client';
import type { Logger } from './logger.ts';

/**
 * The ClickHouse client's logger, writing through pino: its lines are JSON like every other
 * line of the worker (its default logger prints plain text to the console), with the client's
 * module as `component` and its arguments as fields. The client instantiates the class itself.
 */
export function clickHouseLoggerClass(logger: Logger): new () => ClickHouseLogger {
  const log = logger.child({ component: 'clickhouse-client' });
  return class PinoClickHouseLogger implements ClickHouseLogger {
    trace({ module, message, args }: LogParams): void {
      log.trace({ module, ...args }, message);
    }
    debug({ module, message, args }: LogParams): void {
      log.debug({ module, ...args }, message);
    }
    info({ module, message, args }: LogParams): void {
      log.info({ module, ...args }, message);
    }
    warn({ module, message, args, err }: WarnLogParams): void {
      log.warn({ module, ...args, ...(err === undefined ? {} : { err }) }, message);
    }
    error({ module, message, args, err }: ErrorLogParams): void {
      log.error({ module, ...args, err }, message);
    }
  };
}
