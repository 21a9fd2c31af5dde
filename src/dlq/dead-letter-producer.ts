import { Partitioners, type Kafka, type Producer } from 'kafkajs';

/** kafkajs's own retries per send: ~10 s of backoff (300 ms doubling) before it gives up. */
const SEND_RETRIES = 5;
/**
 * How long the broker lets a DLQ transaction stay open before aborting it on its own. A
 * transaction holds one batch's dead letters and lasts a few round trips; the bound only
 * matters for a worker that died mid-transaction and whose partition nobody re-fences (the
 * next owner normally fences at once: dead-letter-producers.ts). Until then, read_committed
 * readers of that DLQ partition wait, so it is kept short.
 */
const TRANSACTION_TIMEOUT_MS = 30_000;

/**
 * The transactional id of the dead letters of one source partition: every owner of that
 * partition, in any worker of the pipeline, uses the same one, so a new owner's
 * initTransactions fences the previous owner (its open transaction is aborted and it can
 * never commit one again).
 */
export function dlqTransactionalId(pipelineId: string, topic: string, partition: number): string {
  return `${pipelineId}-dlq-${topic}-${partition}`;
}

/**
 * A transactional producer of dead letters (one per source partition). Its retries are
 * bounded so that a DLQ that cannot be written (topic deleted, no ACL, a broker refusing
 * the batch) surfaces as a failed send the publisher reports and retries, instead of kafkajs
 * retrying silently forever. kafkajs warns that bounded retries void idempotence: here a
 * failed send aborts the whole transaction and the retry is a new one, so readers
 * (read_committed) never see the half that got through. One request in flight keeps the order.
 */
export function createDeadLetterProducer(kafka: Kafka, transactionalId: string): Producer {
  return kafka.producer({
    transactionalId,
    idempotent: true,
    maxInFlightRequests: 1,
    transactionTimeout: TRANSACTION_TIMEOUT_MS,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: { retries: SEND_RETRIES },
  });
}
