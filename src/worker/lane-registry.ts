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
  readonly #fenceDeadLetters: ((topic: string, partition: number) => Promise<void>) | undefined;
  readonly #onFenced:
    | ((topic: string, partition: number, settled: StartPosition, waitedMs: number) => void)
    | undefined;

  /**
   * `namespaceOf`: the token namespace for a partition's new ranges, given the one its
   * committed position recorded (token-namespace.ts); undefined: v1 tokens.
   * `fenceDeadLetters`: takes the partition's DLQ transactional id over (dead-letter-producers.ts).
   */
  constructor(
    committed: CommittedOffsets,
    deps: LaneDependencies,
    namespaceOf: (recorded: string | undefined) => string | undefined = () => undefined,
    fenceDeadLetters?: (topic: string, partition: number) => Promise<void>,
    onFenced?: (topic: string, partition: number, settled: StartPosition, waitedMs: number) => void,
  ) {
    this.#onFenced = onFenced;
    this.#committed = committed;
    this.#deps = deps;
    this.#namespaceOf = namespaceOf;
    this.#fenceDeadLetters = fenceDeadLetters;
  }

  /**
   * The committed position, once no earlier owner can change it any more. A record saying
   * the range's dead letters are `due` means that owner may still hold a DLQ transaction open
   * (it died, or is a zombie): fencing aborts it, or waits while it commits; then the record
   * is read again, and says `done` if that transaction committed. Without this the open
   * transaction would also hold back read_committed readers of the DLQ until it times out.
   */
  async #settledPosition(topic: string, partition: number): Promise<StartPosition> {
    const position = await this.#committed.position(topic, partition);
    if (position.pending?.deadLetters !== 'due' || this.#fenceDeadLetters === undefined)
      return position;
    const started = Date.now();
    await this.#fenceDeadLetters(topic, partition);
    const settled = await this.#committed.settled(topic, partition);
    this.#onFenced?.(topic, partition, settled, Date.now() - started);
    return settled;
  }

  /** The committed position once its last DLQ transaction is final (CommittedOffsets.settled). */
  settledPosition(topic: string, partition: number): Promise<StartPosition> {
    return this.#committed.settled(topic, partition);
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
      creating = this.#settledPosition(topic, partition).then(
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
