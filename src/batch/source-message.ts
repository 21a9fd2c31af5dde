import type { IHeaders } from 'kafkajs';

/**
 * The original Kafka message behind a row or a dead letter, kept until its batch is
 * committed so that anything ClickHouse rejects can still go to the DLQ as it arrived.
 */
export interface SourceMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: IHeaders | undefined;
  readonly timestampMs: number;
}
