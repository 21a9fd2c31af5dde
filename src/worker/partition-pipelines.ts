import type { BatcherStart } from '../batch/partition-batcher.ts';
import { lifeOf, newPartitionLife, tokenNamespace } from '../batch/token-namespace.ts';
import type { CommittedOffsets } from '../consume/committed-offsets.ts';
import type { StartPosition } from '../consume/start-position.ts';
import { PartitionPipeline, type PipelineParts } from '../pipeline/partition-pipeline.ts';

const key = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

export interface PartitionPipelinesOptions {
  readonly committed: CommittedOffsets;
  readonly parts: PipelineParts;
  /** The namespace of deduplication tokens, known once connected (token-namespace.ts). */
  readonly pipelineId: () => string | undefined;
  /** Takes the partition's DLQ transactional id over (dlq/dead-letter-producers.ts). */
  readonly fenceDeadLetters?: (topic: string, partition: number) => Promise<void>;
  readonly reportFenced?: (
    topic: string,
    partition: number,
    settled: StartPosition,
    waitedMs: number,
  ) => void;
}

/**
 * The partition pipelines of the current group generation. A new generation (GROUP_JOIN)
 * terminates them all: kafkajs restarts each partition from its committed offset, and a fresh
 * pipeline re-forms the pending range recorded there.
 */
export class PartitionPipelines {
  #generation = 0;
  readonly #pipelines = new Map<string, PartitionPipeline>();
  readonly #creating = new Map<string, Promise<PartitionPipeline>>();
  readonly #options: PartitionPipelinesOptions;

  constructor(options: PartitionPipelinesOptions) {
    this.#options = options;
  }

  get generation(): number {
    return this.#generation;
  }

  all(): IterableIterator<PartitionPipeline> {
    return this.#pipelines.values();
  }

  isCurrent(pipeline: PartitionPipeline): boolean {
    return (
      pipeline.generation === this.#generation &&
      this.#pipelines.get(key(pipeline.topic, pipeline.partition)) === pipeline
    );
  }

  /** Where a partition starts in this generation (read once per topic, then cached). */
  position(topic: string, partition: number): Promise<StartPosition> {
    return this.#options.committed.position(topic, partition);
  }

  /** The committed position once its last DLQ transaction is final (CommittedOffsets.settled). */
  settledPosition(topic: string, partition: number): Promise<StartPosition> {
    return this.#options.committed.settled(topic, partition);
  }

  /**
   * Polls every pipeline (seal by age, deliver what is sealed), then hands it to `after`
   * (resume it if paused and accepting). Throws the first pipeline failure it meets.
   */
  pollAll(after: (pipeline: PartitionPipeline) => void): void {
    for (const pipeline of this.#pipelines.values()) {
      pipeline.poll();
      after(pipeline);
    }
  }

  /** A new generation began: every pipeline of the old one is terminated (synchronously). */
  newGeneration(): PartitionPipeline[] {
    this.#generation++;
    const ended = [...this.#pipelines.values()];
    for (const pipeline of ended) pipeline.terminate();
    this.#pipelines.clear();
    this.#creating.clear();
    this.#options.committed.reset();
    return ended;
  }

  /** The partition's pipeline in this generation, if one was created. */
  existing(topic: string, partition: number): PartitionPipeline | undefined {
    return this.#pipelines.get(key(topic, partition));
  }

  /**
   * The pipeline of a partition, created on its first fetched batch from the group's
   * committed position. `firstOffset` is where kafkajs started when nothing was committed.
   */
  async pipeline(
    topic: string,
    partition: number,
    firstOffset: bigint,
  ): Promise<PartitionPipeline | undefined> {
    const k = key(topic, partition);
    const existing = this.#pipelines.get(k);
    if (existing !== undefined) return existing;
    const generation = this.#generation;
    let creating = this.#creating.get(k);
    if (creating === undefined) {
      creating = this.#startOf(topic, partition, firstOffset).then(
        (start) =>
          new PartitionPipeline(start, generation, this.#options.parts, (p) => this.isCurrent(p)),
      );
      this.#creating.set(k, creating);
      creating.catch(() => this.#creating.delete(k));
    }
    const pipeline = await creating;
    if (generation !== this.#generation) return undefined; // a rebalance happened meanwhile
    this.#creating.delete(k);
    this.#pipelines.set(k, pipeline);
    return pipeline;
  }

  async #startOf(topic: string, partition: number, firstOffset: bigint): Promise<BatcherStart> {
    const { offset, pending, namespace, logEnd } = await this.#settledStart(topic, partition);
    return {
      topic,
      partition,
      offset: offset ?? firstOffset,
      recorded: pending,
      namespace: this.#namespaceOf(namespace),
      logEnd,
    };
  }

  /**
   * The token namespace of a partition's new ranges: the pipeline's, with the partition's life
   * as its committed position recorded it, or a new life (batch/token-namespace.ts).
   * Undefined: v1 tokens (no pipeline id, as in tests of the upgrade).
   */
  #namespaceOf(recorded: string | undefined): string | undefined {
    const pipelineId = this.#options.pipelineId();
    if (pipelineId === undefined) return undefined;
    return tokenNamespace(pipelineId, (recorded && lifeOf(recorded)) || newPartitionLife());
  }

  /**
   * The committed position, once no earlier owner can change it any more. A record saying
   * the range's dead letters are `due` means that owner may still hold a DLQ transaction open
   * (it died, or is a zombie): fencing aborts it, or waits while it commits; then the record
   * is read again, and says `done` if that transaction committed. Without this the open
   * transaction would also hold back read_committed readers of the DLQ until it times out.
   */
  async #settledStart(topic: string, partition: number): Promise<StartPosition> {
    const { committed, fenceDeadLetters, reportFenced } = this.#options;
    const position = await committed.position(topic, partition);
    if (position.pending?.deadLetters !== 'due' || fenceDeadLetters === undefined) return position;
    const started = Date.now();
    await fenceDeadLetters(topic, partition);
    const settled = await committed.settled(topic, partition);
    reportFenced?.(topic, partition, settled, Date.now() - started);
    return settled;
  }
}
