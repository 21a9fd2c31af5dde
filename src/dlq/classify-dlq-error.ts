/** Why a write to the DLQ topic failed, for the log, the metric label and /readyz. */
export interface DlqWriteFailure {
  /** The broker's error type (e.g. UNKNOWN_TOPIC_OR_PARTITION), else the client error's name. */
  readonly error: string;
  readonly message: string;
}

/**
 * kafkajs wraps the broker's error (a KafkaJSProtocolError with its `type`) in
 * KafkaJSNumberOfRetriesExceeded or KafkaJSNonRetriableError once it gives up; the label is
 * the innermost broker type, so the metric has one series per broker error, not per wrapper.
 */
export function classifyDlqError(err: unknown): DlqWriteFailure {
  let innermost: unknown = err;
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 8; depth++) {
    const type = (e as { type?: unknown }).type;
    if (typeof type === 'string' && /^[A-Z_]+$/.test(type))
      return { error: type, message: e.message };
    innermost = e;
    e = e.cause;
  }
  return innermost instanceof Error
    ? { error: innermost.name, message: innermost.message }
    : { error: 'unknown', message: String(innermost) };
}
