import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin } from 'kafkajs';
import { decodeCommitMark } from '../commit/pending-range.ts';
import { decideStart, type OutOfRangePolicy, type StartPosition } from './start-position.ts';

/**
 * Reads the group's committed offsets and their metadata (where the pending range and the
 * token namespace live) together with each partition's log bounds, once per topic per group
 * generation (kafkajs does not expose the metadata itself), and decides where each partition
 * starts (start-position.ts).
 */
export class CommittedOffsets {
  readonly #admin: Pick<Admin, 'fetchOffsets' | 'fetchTopicOffsets'>;
  readonly #groupId: string;
  readonly #policy: OutOfRangePolicy;
  readonly #cache = new Map<string, Promise<Map<number, StartPosition>>>();

  constructor(
    admin: Pick<Admin, 'fetchOffsets' | 'fetchTopicOffsets'>,
    groupId: string,
    policy: OutOfRangePolicy = 'earliest',
  ) {
    this.#admin = admin;
    this.#groupId = groupId;
    this.#policy = policy;
  }

  /** Forget everything: a new generation may have moved the offsets. */
  reset(): void {
    this.#cache.clear();
  }

  /** Reads the topic's committed positions again (a transaction may just have committed one). */
  reread(topic: string, partition: number): Promise<StartPosition> {
    this.#cache.delete(topic);
    return this.position(topic, partition);
  }

  /**
   * The position once the partition's last DLQ transaction is final (its producer id was
   * just re-initialised: dead-letter-producers.ts). The group coordinator applies a committed
   * transaction's offsets when its marker reaches it, possibly a moment after InitProducerId
   * returned, and kafkajs cannot ask for stable offsets (OffsetFetch require_stable, KIP-447):
   * a range still marked `dlq=due` is read again for up to SETTLE_MS before it counts.
   */
  async settled(topic: string, partition: number): Promise<StartPosition> {
    const started = Date.now();
    let position = await this.reread(topic, partition);
    while (position.pending?.deadLetters === 'due' && Date.now() - started < SETTLE_MS) {
      await sleep(SETTLE_POLL_MS);
      position = await this.reread(topic, partition);
    }
    return position;
  }

  async position(topic: string, partition: number): Promise<StartPosition> {
    let entry = this.#cache.get(topic);
    if (entry === undefined) {
      entry = this.#fetch(topic);
      this.#cache.set(topic, entry);
      entry.catch(() => this.#cache.delete(topic));
    }
    return (await entry).get(partition) ?? NEVER_COMMITTED;
  }

  async #fetch(topic: string): Promise<Map<number, StartPosition>> {
    const [[result], bounds] = await Promise.all([
      this.#admin.fetchOffsets({ groupId: this.#groupId, topics: [topic] }),
      this.#admin.fetchTopicOffsets(topic),
    ]);
    const logs = new Map(
      bounds.map((b) => [b.partition, { low: BigInt(b.low), high: BigInt(b.high) }]),
    );
    const positions = new Map<number, StartPosition>();
    for (const p of result?.partitions ?? []) {
      const offset = Number(p.offset) >= 0 ? BigInt(p.offset) : undefined;
      const log = logs.get(p.partition);
      const mark =
        offset === undefined
          ? { namespace: undefined, pending: undefined }
          : decodeCommitMark(p.metadata, offset);
      positions.set(
        p.partition,
        log === undefined
          ? { offset, pending: mark.pending, namespace: mark.namespace, reset: undefined }
          : decideStart(offset, mark, log, this.#policy),
      );
    }
    return positions;
  }
}

const SETTLE_MS = 2_000;
const SETTLE_POLL_MS = 100;

const NEVER_COMMITTED: StartPosition = {
  offset: undefined,
  pending: undefined,
  namespace: undefined,
  reset: undefined,
};
