import type { IHeaders } from 'kafkajs';
import type { RejectedMessage } from '../batch/sealed-batch.ts';

/** Header names on every dead-letter record (the original headers are kept beside them). */
export const DLQ_HEADERS = {
  errorClass: 'hanzo.dlq.error_class',
  errorMessage: 'hanzo.dlq.error_message',
  stage: 'hanzo.dlq.stage',
  sourceTopic: 'hanzo.dlq.source_topic',
  sourcePartition: 'hanzo.dlq.source_partition',
  sourceOffset: 'hanzo.dlq.source_offset',
  workerId: 'hanzo.dlq.worker_id',
  time: 'hanzo.dlq.time',
  /**
   * Set when the record was cut to fit the DLQ topic's max.message.bytes: the original
   * value's size in bytes. The value is a prefix only; the source headers say where the
   * whole message is (replay skips such records rather than re-inject a prefix).
   */
  truncated: 'hanzo.dlq.truncated',
  /**
   * Set when ClickHouse refused the row and its message was no longer in Kafka when read
   * again for this dead letter: the value is the row as the insert carried it, a one-row
   * body in this ClickHouse input format (RowBinaryWithNamesAndTypes carries its column names
   * and types). Replay skips such records: they are not the event as it was produced.
   */
  rowFormat: 'hanzo.dlq.row_format',
  /**
   * Names of the original headers whose value was null (a JSON array): Kafka allows a null
   * header value, kafkajs's producer cannot write one, so the dead letter carries them empty.
   */
  nullHeaders: 'hanzo.dlq.null_headers',
} as const;

const EMPTY = Buffer.alloc(0);

const MAX_ERROR_MESSAGE = 2_000;

export interface DeadLetterRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: IHeaders;
}

/** The DLQ record for a rejected message: original key and bytes, reason in headers. */
export function buildDeadLetterRecord(
  rejected: RejectedMessage,
  workerId: string,
  now: Date,
): DeadLetterRecord {
  const { source, deadLetter, rowFormat } = rejected;
  const original = source.headers ?? {};
  const nullNames: string[] = [];
  const kept = Object.fromEntries(
    Object.entries(original)
      .filter(([name]) => !name.startsWith('hanzo.dlq.'))
      .map(([name, value]) => {
        const values = Array.isArray(value) ? value : [value];
        // Null at run time though kafkajs's types leave it out.
        if (!values.some((v) => (v as unknown) === null)) return [name, value];
        nullNames.push(name);
        const filled = values.map((v) => ((v as unknown) === null ? EMPTY : v));
        return [name, Array.isArray(value) ? filled : filled[0]];
      }),
  );
  return {
    key: source.key,
    value: source.value,
    headers: {
      ...kept,
      ...(nullNames.length === 0 ? {} : { [DLQ_HEADERS.nullHeaders]: JSON.stringify(nullNames) }),
      [DLQ_HEADERS.errorClass]: deadLetter.reason,
      [DLQ_HEADERS.errorMessage]: deadLetter.message.slice(0, MAX_ERROR_MESSAGE),
      [DLQ_HEADERS.stage]: deadLetter.stage,
      [DLQ_HEADERS.sourceTopic]: source.topic,
      [DLQ_HEADERS.sourcePartition]: String(source.partition),
      [DLQ_HEADERS.sourceOffset]: source.offset,
      [DLQ_HEADERS.workerId]: workerId,
      [DLQ_HEADERS.time]: now.toISOString(),
      ...(rowFormat === undefined ? {} : { [DLQ_HEADERS.rowFormat]: rowFormat }),
    },
  };
}

/** Reads a header as text (kafkajs gives Buffers, strings or arrays of them; Kafka allows null). */
export function headerText(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers === undefined || !Object.hasOwn(headers, name) ? undefined : headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined || first === null) return undefined;
  return typeof first === 'string' ? first : first.toString('utf8');
}
