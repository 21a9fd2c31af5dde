import { Partitioners, type Kafka, type Producer } from 'kafkajs';

/** kafkajs's own retries per send: ~10 s of backoff (300 ms doubling) before it gives up. */
const SEND_RETRIES = 5;

/**
 * The producer of dead letters. Its retries are bounded so that a DLQ that cannot be
 * written (topic deleted, no ACL, a broker refusing the batch) surfaces as a failed send the
 * publisher reports and retries, instead of kafkajs retrying silently forever. Not
 * idempotent (kafkajs warns that bounded retries void idempotence, and a send re-tried
 * after a give-up starts a new sequence anyway): a dead letter may be written twice, which
 * replay dedupes by its source headers; one request in flight keeps the order.
 */
export function createDeadLetterProducer(kafka: Kafka): Producer {
  return kafka.producer({
    idempotent: false,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: { retries: SEND_RETRIES },
  });
}
