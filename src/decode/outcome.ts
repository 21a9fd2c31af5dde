/**
 * Per-message results are values, not exceptions: a message either becomes a row or a
 * dead letter with a reason. Infrastructure failures are thrown (see ../errors.ts).
 */
export const DEAD_LETTER_REASONS = [
  'message_too_large',
  'invalid_utf8',
  'invalid_json',
  'invalid_avro',
  'unknown_schema_id',
  /** The registry holds this id as PROTOBUF or JSON Schema: only Avro is decoded. */
  'unsupported_schema_type',
  /** The registry's answer for this id is not a usable Avro schema. */
  'invalid_schema',
  /** The writer schema cannot be resolved into ours (schemas/avro/event.avsc). */
  'incompatible_schema',
  'not_an_object',
  'missing_field',
  'wrong_type',
  'properties_too_large',
  'timestamp_in_future',
  'timestamp_before_1970',
  'timestamp_out_of_range',
  'too_deeply_nested',
  'too_many_keys',
  'string_too_long',
  /** A library threw on this message while decoding or enriching it (a bug to report). */
  'unprocessable',
  'rejected_by_clickhouse',
] as const;
export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];

export type PipelineStage = 'decode' | 'enrich' | 'sink';

export interface DeadLetter {
  readonly reason: DeadLetterReason;
  readonly stage: PipelineStage;
  readonly message: string;
}

export type Outcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly deadLetter: DeadLetter };

export const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });

export const deadLetter = <T = never>(
  reason: DeadLetterReason,
  message: string,
  stage: PipelineStage = 'decode',
): Outcome<T> => ({ ok: false, deadLetter: { reason, stage, message } });
