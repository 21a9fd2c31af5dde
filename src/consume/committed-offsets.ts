import type { Admin } from 'kafkajs';
import { decodePendingRange, type PendingRange } from '../commit/pending-range.ts';

export interface CommittedPosition {
  /** The group's committed offset, or undefined when the group never committed here. */
  readonly offset: bigint | undefined;
  /** A range whose insert was started but whose commit was not seen. */
  readonly pending: PendingRange | undefined;
}

/**
 * Reads the group's committed offsets and their metadata (where the pending range lives)
 * once per topic per group generation: kafkajs does not expose the metadata itself.
 */
export class CommittedOffsets {
  readonly #admin: Pick<Admin, 'fetchOffsets'>;
  readonly #groupId: string;
  readonly #cache = new Map<string, Promise<Map<number, CommittedPosition>>>();

  constructor(admin: Pick<Admin, 'fetchOffsets'>, groupId: string) {
    this.#admin = admin;
    this.#groupId = groupId;
  }

  /** Forget everything: a new generation may have moved the offsets. */
  reset(): void {
    this.#cache.clear();
  }

  async position(topic: string, partition: number): Promise<CommittedPosition> {
    let entry = this.#cache.get(topic);
    if (entry === undefined) {
      entry = this.#fetch(topic);
      this.#cache.set(topic, entry);
      entry.catch(() => this.#cache.delete(topic));
    }
    return (await entry).get(partition) ?? { offset: undefined, pending: undefined };
  }

  async #fetch(topic: string): Promise<Map<number, CommittedPosition>> {
    const [result] = await this.#admin.fetchOffsets({ groupId: this.#groupId, topics: [topic] });
    const positions = new Map<number, CommittedPosition>();
    for (const p of result?.partitions ?? []) {
      const offset = Number(p.offset) >= 0 ? BigInt(p.offset) : undefined;
      positions.set(p.partition, {
        offset,
        pending: offset === undefined ? undefined : decodePendingRange(p.metadata, offset),
      });
    }
    return positions;
  }
}
