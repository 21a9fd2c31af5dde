import { setTimeout as sleep } from 'node:timers/promises';
import { Partitioners, type Kafka, type Message, type Producer } from 'kafkajs';
import { TaggedEventSource } from './tagged-events.ts';

export interface TaggedProducerOptions {
  readonly topic: string;
  readonly partitions: number;
  readonly producerId: string;
  readonly seed: number;
}

/**
 * One producer of tagged events (idempotent, acks=all). It survives broker outages: a send
 * that fails is sent again with fresh sequence numbers, so a write that did happen never
 * shares a uuid with its retry (what Kafka holds is counted from its log end, not from here).
 */
export class TaggedProducer {
  readonly source: TaggedEventSource;
  readonly #topic: string;
  readonly #producer: Producer;
  #connected = false;
  #stopped = false;
  /** Events whose send Kafka acknowledged. */
  acked = 0;
  /** Bytes of those events' values. */
  ackedBytes = 0;
  /** Sends that failed and were redone (during broker outages). */
  failedSends = 0;

  constructor(kafka: Kafka, options: TaggedProducerOptions) {
    this.#topic = options.topic;
    this.source = new TaggedEventSource(options.producerId, options.partitions, options.seed);
    this.#producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  /** Sends `n` events now, in chunks of `chunk`. */
  async send(n: number, chunk = 1_000): Promise<void> {
    for (let sent = 0; sent < n && !this.#stopped; sent += chunk) {
      const size = Math.min(chunk, n - sent);
      await this.sendMessages(() => this.source.nextMessages(size));
    }
  }

  /** Sends `total` events at about `perSecond`, in ticks of 100 ms, until done or stopped. */
  async run(total: number, perSecond: number): Promise<void> {
    const started = performance.now();
    let sent = 0;
    while (sent < total && !this.#stopped) {
      const due = Math.min(total, Math.ceil(((performance.now() - started) / 1000) * perSecond));
      if (due > sent) {
        const size = Math.min(due - sent, 5_000);
        await this.sendMessages(() => this.source.nextMessages(size));
        sent += size;
      } else {
        await sleep(100);
      }
    }
  }

  /**
   * Sends what `build` makes, until Kafka acknowledges it. `build` runs again for a retry;
   * it must produce new events (new sequence numbers), or the same raw messages when the
   * caller accepts that a retried write may be in Kafka twice.
   */
  async sendMessages(build: () => Message[]): Promise<void> {
    if (!this.#connected) {
      await this.#producer.connect();
      this.#connected = true;
    }
    for (;;) {
      const messages = build();
      try {
        await this.#producer.send({ topic: this.#topic, acks: -1, messages });
        this.acked += messages.length;
        for (const m of messages) this.ackedBytes += m.value?.length ?? 0;
        return;
      } catch {
        this.failedSends++;
        if (this.#stopped) return;
        await sleep(500);
      }
    }
  }

  stop(): void {
    this.#stopped = true;
  }

  async close(): Promise<void> {
    this.#stopped = true;
    if (this.#connected) await this.#producer.disconnect().catch(() => undefined);
  }
}
