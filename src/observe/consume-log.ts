import { errorMessage } from '../errors.ts';
import type { OffsetReset, StartPosition } from '../consume/start-position.ts';
import { SchemaRegistryError } from '../decode/schema-registry-client.ts';
import type { KafkaConfig } from '../config/schema.ts';
import type { IngestMetrics } from './ingest-metrics.ts';
import type { Logger } from '../log/logger.ts';

/** What consuming reports: offset resets, registry outages, fenced DLQ transactions. */
export interface ConsumeEvents {
  offsetReset(topic: string, partition: number, reset: OffsetReset): void;
  registryRetry(
    topic: string,
    partition: number,
    err: unknown,
    attempt: number,
    delayMs: number,
  ): void;
  /** A previous owner's DLQ transaction was fenced before the partition started. */
  fenced(topic: string, partition: number, settled: StartPosition, waitedMs: number): void;
}

export function consumeEvents(
  log: Logger,
  metrics: IngestMetrics,
  policy: KafkaConfig['offsetOutOfRange'],
): ConsumeEvents {
  return {
    fenced(topic, partition, settled, waitedMs): void {
      log.info(
        {
          partition: `${topic}[${partition}]`,
          waitedMs,
          offset: settled.offset?.toString(),
          pending: settled.pending && `${settled.pending.first}-${settled.pending.last}`,
          deadLetters: settled.pending?.deadLetters,
        },
        "previous owner's DLQ transaction fenced; position read again",
      );
    },
    offsetReset(topic, partition, reset): void {
      const skippedData = reset.skipped > 0n;
      metrics.offsetReset(topic, reset.reason, skippedData);
      const fields = {
        partition: `${topic}[${partition}]`,
        reason: reset.reason,
        committed: reset.from.toString(),
        restartAt: reset.to.toString(),
        skipped: reset.skipped.toString(),
        policy,
      };
      if (!skippedData)
        log.warn(fields, 'committed offset out of range: reset without skipping data');
      else if (reset.reason === 'below_log_start')
        log.error(fields, 'committed offset out of range: messages deleted before they were read');
      // Beyond the log end nobody can tell whether the log below the restart was read (offsets
      // set too far, log truncated) or is new (topic re-created): it is skipped, loudly.
      else log.error(fields, 'committed offset out of range: messages in the log skipped');
    },
    registryRetry(topic, partition, err, attempt, delayMs): void {
      const kind = err instanceof SchemaRegistryError ? err.kind : 'unexpected';
      metrics.schemaRegistryFailed(kind);
      // The message names the registry by origin only (schema-registry-client.ts): no secret.
      log.error(
        {
          partition: `${topic}[${partition}]`,
          error: kind,
          message: errorMessage(err),
          attempt,
          retryInMs: Math.round(delayMs),
        },
        'schema registry lookup failed; the partition waits and retries',
      );
    },
  };
}
