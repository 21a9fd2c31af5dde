import type { Producer } from 'kafkajs';

const key = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

interface Entry {
  readonly topic: string;
  readonly partition: number;
  readonly producer: Promise<Producer>;
}

/**
 * The transactional DLQ producers of this worker, one per source partition it wrote dead
 * letters for (dead-letter-producer.ts): created on first use, closed when the partition is
 * revoked or the worker stops, so there are never more than the partitions assigned.
 * Batches without dead letters never create one.
 */
export class DeadLetterProducers {
  readonly #create: (topic: string, partition: number) => Producer;
  readonly #entries = new Map<string, Entry>();

  constructor(create: (topic: string, partition: number) => Producer) {
    this.#create = create;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The partition's producer, connected (its transactions initialised on first use). */
  acquire(topic: string, partition: number): Promise<Producer> {
    const k = key(topic, partition);
    const existing = this.#entries.get(k);
    if (existing !== undefined) return existing.producer;
    const producer = this.#create(topic, partition);
    const connecting = producer.connect().then(() => producer);
    this.#entries.set(k, { topic, partition, producer: connecting });
    connecting.catch(() => {
      if (this.#entries.get(k)?.producer === connecting) this.#entries.delete(k);
    });
    return connecting;
  }

  /**
   * Makes this worker the partition's only DLQ writer: InitProducerId bumps the epoch of
   * the partition's transactional id, which aborts a transaction a previous owner left open
   * (or waits for one it is committing right now to finish) and fences that owner for good.
   */
  async fence(topic: string, partition: number): Promise<void> {
    // A fresh producer even if one exists: it may be in a transaction of a terminated pipeline.
    await this.discard(topic, partition);
    try {
      const producer = await this.acquire(topic, partition);
      // An empty transaction: kafkajs initialises the producer id, sends no EndTxn.
      await (await producer.transaction()).abort();
    } catch (err) {
      await this.discard(topic, partition);
      throw err;
    }
  }

  /**
   * Closes the partition's producer after a failure; the next acquire starts a new one,
   * whose initialisation aborts whatever the old one left open.
   */
  async discard(topic: string, partition: number): Promise<void> {
    const k = key(topic, partition);
    const entry = this.#entries.get(k);
    if (entry === undefined) return;
    this.#entries.delete(k);
    await closeQuietly(entry.producer);
  }

  /** Closes the producers of partitions no longer assigned (after a rebalance). */
  async keepOnly(assigned: (topic: string, partition: number) => boolean): Promise<void> {
    const revoked = [...this.#entries.values()].filter((e) => !assigned(e.topic, e.partition));
    await Promise.all(revoked.map((e) => this.discard(e.topic, e.partition)));
  }

  async closeAll(): Promise<void> {
    await this.keepOnly(() => false);
  }
}

async function closeQuietly(producer: Promise<Producer>): Promise<void> {
  try {
    await (await producer).disconnect();
  } catch {
    // Never connected, or the connection is gone already: nothing left to close.
  }
}
