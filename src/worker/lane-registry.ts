import type { CommittedOffsets } from '../consume/committed-offsets.ts';
import type { StartPosition } from '../consume/start-position.ts';
import { PartitionLane, type LaneDependencies } from './partition-lane.ts';

const key = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/**
 * The lanes of the current group generation. A new generation (GROUP_JOIN) drops them
 * all: kafkajs restarts each partition from its committed offset, and a fresh lane
 * re-forms the pending range recorded there.
 */
export class LaneRegistry {
  #epoch = 0;
  readonly #lanes = new Map<string, PartitionLane>();
  readonly #creating = new Map<string, Promise<PartitionLane>>();
  readonly #committed: CommittedOffsets;
  readonly #deps: LaneDependencies;
  readonly #namespaceOf: (recorded: string | undefined) => string | undefined;

  /**
   * `namespaceOf`: the token namespace for a partition's new ranges, given the one its
   * committed position recorded (token-namespace.ts); undefined: v1 tokens.
   */
  constructor(
    committed: CommittedOffsets,
    deps: LaneDependencies,
    namespaceOf: (recorded: string | undefined) => string | undefined = () => undefined,
  ) {
    this.#committed = committed;
    this.#deps = deps;
    this.#namespaceOf = namespaceOf;
  }

  /** Where a partition starts in this generation (read once per topic, then cached). */
  position(topic: string, partition: number): Promise<StartPosition> {
    return this.#committed.position(topic, partition);
  }

  get epoch(): number {
    return this.#epoch;
  }

  isCurrent(lane: PartitionLane): boolean {
    return lane.epoch === this.#epoch && this.#lanes.get(key(lane.topic, lane.partition)) === lane;
  }

  lanes(): IterableIterator<PartitionLane> {
    return this.#lanes.values();
  }

  /** A new generation began: every lane of the old one is dropped (synchronously). */
  newGeneration(): PartitionLane[] {
    this.#epoch++;
    const dropped = [...this.#lanes.values()];
    for (const lane of dropped) lane.drop();
    this.#lanes.clear();
    this.#creating.clear();
    this.#committed.reset();
    return dropped;
  }

  /**
   * The lane for a partition, created on its first fetched batch from the group's
   * committed position. `firstOffset` is where kafkajs started when nothing was committed.
   */
  async lane(
    topic: string,
    partition: number,
    firstOffset: bigint,
  ): Promise<PartitionLane | undefined> {
    const k = key(topic, partition);
    const existing = this.#lanes.get(k);
    if (existing !== undefined) return existing;
    const epoch = this.#epoch;
    let creating = this.#creating.get(k);
    if (creating === undefined) {
      creating = this.#committed.position(topic, partition).then(
        ({ offset, pending, namespace, logEnd }) =>
          new PartitionLane(topic, partition, epoch, offset ?? firstOffset, pending, this.#deps, {
            namespace: this.#namespaceOf(namespace),
            logEnd,
          }),
      );
      this.#creating.set(k, creating);
      creating.catch(() => this.#creating.delete(k));
    }
    const lane = await creating;
    if (epoch !== this.#epoch) return undefined; // a rebalance happened meanwhile
    this.#creating.delete(k);
    this.#lanes.set(k, lane);
    return lane;
  }
}
