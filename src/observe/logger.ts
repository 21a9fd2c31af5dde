import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/** Paths pino must never print, whatever object a component logs. */
const REDACT = [
  'password',
  '*.password',
  '*.*.password',
  'sasl.password',
  'config.kafka.sasl.password',
  'config.clickhouse.password',
  'authorization',
  '*.authorization',
];

/** The root logger: JSON lines on stdout, secrets redacted, one child per component. */
export function createLogger(level: string, workerId: string): Logger {
  return pino({
    level,
    base: { worker: workerId },
    redact: { paths: REDACT, censor: '********' },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
