import { z } from 'zod';
import { PIPELINE_ID_PATTERN } from '../../batch/token-namespace.ts';
import { setting } from './setting.ts';
import { positiveInt } from './value-types.ts';

/** Settings of the process as a whole (top level of the config). */
export const WORKER_SETTINGS = {
  mode: setting({
    env: 'INGEST_MODE',
    type: z.enum(['worker', 'kafka-engine']),
    default: 'worker',
    doc: '`worker` (this process ingests) or `kafka-engine` (ClickHouse consumes natively)',
  }),
  // Required here; loadConfig fills in hostname-pid when it is unset.
  workerId: setting({
    env: 'INGEST_WORKER_ID',
    type: z.string().min(1),
    doc: 'Identity in logs and dead-letter headers (default: hostname-pid)',
  }),
  /** Default `<kafka cluster id>/<group id>` (token-namespace.ts). */
  pipelineId: setting({
    env: 'INGEST_PIPELINE_ID',
    type: z.string().regex(PIPELINE_ID_PATTERN, 'must be 1-200 of A-Z a-z 0-9 . _ : / -'),
    optional: true,
    doc: 'Namespace of deduplication tokens (default: Kafka cluster id/group id)',
  }),
  maxBufferedBytes: setting({
    env: 'INGEST_MAX_BUFFERED_BYTES',
    type: positiveInt,
    default: 96 * 1024 * 1024,
    doc: 'Bytes buffered across all partitions before every partition pauses',
  }),
  logLevel: setting({
    env: 'LOG_LEVEL',
    type: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    default: 'info',
    doc: 'fatal, error, warn, info, debug, trace or silent',
  }),
  metricsPort: setting({
    env: 'METRICS_PORT',
    type: z.number().int().min(0).max(65_535),
    default: 9464,
    doc: 'Port of /metrics, /healthz and /readyz (0: disabled)',
  }),
  shutdownTimeoutMs: setting({
    env: 'SHUTDOWN_TIMEOUT_MS',
    type: positiveInt,
    default: 30_000,
    doc: 'Drain deadline after SIGTERM/SIGINT',
  }),
};
