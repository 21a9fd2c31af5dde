import type { KafkaMessage } from 'kafkajs';
import { BufferBudget } from '../../../src/batch/buffer-budget.ts';
import { PartitionBatcher } from '../../../src/batch/partition-batcher.ts';
import type { SealedBatch } from '../../../src/batch/sealed-batch.ts';
import { sourceMessage } from '../../../src/batch/source-message.ts';
import type { BatchConfig } from '../../../src/config/schema.ts';
import type { NormalizeContext } from '../../../src/decode/normalize-event.ts';
import { runMessageSteps, type MessageSteps } from '../../../src/pipeline/message-steps.ts';

export interface BatchPathOptions {
  /** Messages per fetch of one partition (kafkajs hands them out as slices of one response). */
  readonly fetchMessages: number;
  readonly limits: Pick<BatchConfig, 'maxRows' | 'maxBytes' | 'maxAgeMs'>;
  readonly budgetBytes: number;
  /** Sealed batches "in flight" before the oldest is delivered (insert.maxInFlight). */
  readonly inFlight: number;
}

/** The corpus as partitions' logs: one buffer per partition, the values back to back. */
export interface PartitionLogs {
  readonly logs: readonly Buffer[];
  /** Each partition's value boundaries: value k is logs[p][ends[p][k-1] .. ends[p][k]). */
  readonly ends: readonly (readonly number[])[];
  readonly messages: number;
}

/** Deals `values` over `partitions` round robin, each partition's values in one buffer. */
export function partitionLogs(values: readonly Buffer[], partitions: number): PartitionLogs {
  const picked = Array.from({ length: partitions }, () => [] as Buffer[]);
  values.forEach((value, i) => picked[i % partitions]!.push(value));
  return {
    logs: picked.map((p) => Buffer.concat(p)),
    ends: picked.map((p) => {
      let at = 0;
      return p.map((v) => (at += v.length));
    }),
    messages: values.length,
  };
}

/**
 * One pass of the worker's own per-message path on one core, no Kafka and no ClickHouse:
 * messages as kafkajs hands them out (values are slices of the fetched bytes) → decode →
 * enrich → serialise → the partition's batcher under the worker's limits and memory budget →
 * each sealed batch's insert body produced as insertRows sends it, its memory given back.
 * What the end-to-end drains add on top is kafkajs, HTTP and the event loop; this figure
 * moves only with the worker's own code, so it shows a change the noisy drains cannot.
 * Returns the CPU microseconds per message and the insert bytes produced.
 */
export function batchPathPass(
  corpus: PartitionLogs,
  steps: MessageSteps,
  context: NormalizeContext,
  options: BatchPathOptions,
): { readonly microsPerEvent: number; readonly bodyBytes: number } {
  const partitions = corpus.logs.length;
  const budget = new BufferBudget(options.budgetBytes);
  const batchers = Array.from(
    { length: partitions },
    (_, partition) =>
      new PartitionBatcher(
        { topic: 'bench', partition, offset: 0n },
        { limits: options.limits, budget, now: () => 0 },
      ),
  );
  const flying: SealedBatch[] = [];
  let bodyBytes = 0;
  const deliver = (batch: SealedBatch): void => {
    for (const chunk of batch.rows.chunks()) bodyBytes += chunk.length;
    budget.release(batch.memoryBytes);
  };
  const deliverAll = (): void => {
    for (const batch of flying.splice(0)) deliver(batch);
    for (const batcher of batchers) {
      batcher.sealIfDue(true);
      const sealed = batcher.takeSealed();
      if (sealed !== undefined) deliver(sealed);
    }
  };
  const next = new Array<number>(partitions).fill(0);
  const cpuAtStart = process.cpuUsage();
  for (let done = 0; done < corpus.messages;) {
    for (let partition = 0; partition < partitions; partition++) {
      const batcher = batchers[partition]!;
      const fetched = fetch(corpus, partition, next[partition]!, options.fetchMessages);
      for (const message of fetched) {
        if (batcher.admit(BigInt(message.offset)) !== 'take') deliverAll();
        const source = sourceMessage(message, 'bench', partition);
        const row = runMessageSteps(steps, source, context);
        if (batcher.add(source, row) === 'refused') {
          // Out of budget: what the worker does by waiting for inserts to land.
          deliverAll();
          if (batcher.add(source, row) === 'refused') throw new Error('refused with nothing held');
        }
        const sealed = batcher.takeSealed();
        if (sealed !== undefined) flying.push(sealed);
        if (flying.length > options.inFlight) deliver(flying.shift()!);
      }
      next[partition]! += fetched.length;
      done += fetched.length;
    }
  }
  deliverAll();
  const cpu = process.cpuUsage(cpuAtStart);
  return { microsPerEvent: (cpu.user + cpu.system) / corpus.messages, bodyBytes };
}

/** The next fetch of `partition`: message objects over slices of its log, as kafkajs makes. */
function fetch(
  corpus: PartitionLogs,
  partition: number,
  from: number,
  count: number,
): KafkaMessage[] {
  const log = corpus.logs[partition]!;
  const ends = corpus.ends[partition]!;
  const out: KafkaMessage[] = [];
  for (let k = from; k < Math.min(from + count, ends.length); k++) {
    out.push({
      offset: String(k),
      timestamp: '0',
      key: null,
      value: log.subarray(k === 0 ? 0 : ends[k - 1], ends[k]),
      headers: {},
      attributes: 0,
    });
  }
  return out;
}
