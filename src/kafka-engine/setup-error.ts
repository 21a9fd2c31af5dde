import { IngestError } from '../errors.ts';

/** The Kafka-engine pipeline cannot be set up as configured (missing events table, bad pricing regex…). */
export class KafkaEngineSetupError extends IngestError {
  constructor(message: string, cause?: unknown) {
    super(message, { retriable: false, cause });
  }
}
