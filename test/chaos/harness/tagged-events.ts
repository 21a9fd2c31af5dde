import { createHash } from 'node:crypto';
import type { Message } from 'kafkajs';
import { SampleEventGenerator, type SampleEvent } from '../../../src/sample/sample-events.ts';

/** Properties every chaos event carries: who produced it and its sequence number there. */
export const PRODUCER_PROPERTY = '$chaos_producer';
export const SEQUENCE_PROPERTY = '$chaos_seq';

/**
 * The uuid of a producer's seq-th event: name-based (SHA-1, version 5 layout), so the same
 * (producer, seq) always has the same uuid and two different ones never share it.
 */
export function chaosUuid(producerId: string, seq: number): string {
  const hash = createHash('sha1').update(`hanzo-chaos:${producerId}:${seq}`).digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Realistic events (page views, product events, `$llm_request` usage) tagged with their
 * producer and sequence number, as Kafka messages spread round-robin over the partitions.
 */
export class TaggedEventSource {
  readonly producerId: string;
  readonly #partitions: number;
  readonly #generator: SampleEventGenerator;
  #seq = 0;

  constructor(producerId: string, partitions: number, seed: number) {
    this.producerId = producerId;
    this.#partitions = partitions;
    this.#generator = new SampleEventGenerator({ seed });
  }

  /** Sequence numbers handed out so far. */
  get issued(): number {
    return this.#seq;
  }

  nextEvent(): SampleEvent {
    const seq = this.#seq++;
    const event = this.#generator.next();
    event.uuid = chaosUuid(this.producerId, seq);
    event.properties = {
      ...event.properties,
      [PRODUCER_PROPERTY]: this.producerId,
      [SEQUENCE_PROPERTY]: seq,
    };
    return event;
  }

  /** The next message; partition `seq mod partitions` unless one is given. */
  nextMessage(partition?: number): Message {
    const event = this.nextEvent();
    const seq = this.#seq - 1;
    return {
      key: event.distinct_id,
      value: JSON.stringify(event),
      partition: partition ?? seq % this.#partitions,
    };
  }

  nextMessages(n: number): Message[] {
    return Array.from({ length: n }, () => this.nextMessage());
  }
}
