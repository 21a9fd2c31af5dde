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

/**
 * The root logger: JSON lines with the level as its label, secrets redacted, one child per
 * component. The worker logs
 * to stdout (what container platforms collect); command-line tools log to stderr so their
 * stdout stays their output.
 */
export function createLogger(
  level: string,
  workerId: string,
  to: 'stdout' | 'stderr' = 'stdout',
): Logger {
  return pino(
    {
      level,
      base: { worker: workerId },
      redact: { paths: REDACT, censor: '********' },
      timestamp: pino.stdTimeFunctions.isoTime,
      // "level":"error", not 50: what log pipelines and people filter on.
      formatters: { level: (label) => ({ level: label }) },
    },
    pino.destination({ fd: to === 'stdout' ? 1 : 2, sync: true }),
  );
}
