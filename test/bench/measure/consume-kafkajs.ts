import { createGroupClients } from '../../../src/consume/create-group-clients.ts';
import { createKafka } from '../../../src/consume/create-kafka.ts';
import { createLogger } from '../../../src/log/logger.ts';
import { benchWorkerConfig, withTimeout, type BenchContext } from '../bench-context.ts';
import { round } from '../corpus/preload-corpus.ts';
import { ServerCpu } from './proc-stats.ts';

export interface ConsumeRun {
  readonly events: number;
  readonly bytes: number;
  /** From joining the group to the last message: the join is excluded. */
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly megabytesPerSecond: number;
  /** CPU per million events of the consumer (undefined for an external tool) and the broker. */
  readonly clientCpuSecondsPerMillion: number | undefined;
  readonly kafkaCpuSecondsPerMillion: number | undefined;
}

/**
 * The Kafka side's ceiling for this worker: the worker's own kafkajs client and consumer
 * settings (fetch sizes, wait, partitions consumed concurrently, eachBatch, no
 * auto-commit), doing nothing with the messages but counting them.
 */
export async function measureKafkajsConsume(
  ctx: BenchContext,
  topic: string,
  events: number,
  repetition: number,
): Promise<ConsumeRun> {
  const group = `${ctx.runId}_consume_r${repetition}`;
  const config = benchWorkerConfig(ctx, { topic, group, table: 'unused', workerId: group });
  const kafka = createKafka(config.kafka, createLogger('error', group, 'stderr'));
  const { consumer } = createGroupClients(kafka, config.kafka);
  let joinedAt: number | undefined;
  let count = 0;
  let bytes = 0;
  let finish: (at: number) => void = () => undefined;
  const finished = new Promise<number>((resolve) => (finish = resolve));
  const servers = new ServerCpu(ctx.stackPids);
  let clientCpuAtJoin: NodeJS.CpuUsage | undefined;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    joinedAt ??= performance.now();
    clientCpuAtJoin ??= process.cpuUsage();
    servers.start();
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: config.kafka.partitionsConsumedConcurrently,
      eachBatch: async (payload) => {
        const { batch } = payload;
        for (const message of batch.messages) bytes += message.value?.length ?? 0;
        count += batch.messages.length;
        const last = batch.messages.at(-1);
        if (last !== undefined) payload.resolveOffset(last.offset);
        await payload.heartbeat();
        if (count >= events) finish(performance.now());
      },
    });
    const doneAt = await withTimeout(
      `kafkajs consume ${group}`,
      ctx.options.phaseTimeoutMs,
      finished,
    );
    const seconds = (doneAt - (joinedAt ?? doneAt)) / 1000;
    const clientCpu = process.cpuUsage(clientCpuAtJoin);
    const { kafkaCpuSecondsPerMillion } = servers.stop(count);
    return {
      events: count,
      bytes,
      seconds: round(seconds, 2),
      eventsPerSecond: Math.round(count / seconds),
      megabytesPerSecond: round(bytes / 2 ** 20 / seconds, 1),
      clientCpuSecondsPerMillion: round(((clientCpu.user + clientCpu.system) / count) * 1, 1),
      kafkaCpuSecondsPerMillion,
    };
  } finally {
    await consumer.disconnect();
  }
}
