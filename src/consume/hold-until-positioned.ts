import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer } from 'kafkajs';
import { whileRunning } from './partition-pauser.ts';
import type { OffsetReset, StartPosition } from './start-position.ts';

export interface PositioningOptions {
  /** The start position of a partition (CommittedOffsets, cached for the generation). */
  readonly position: (topic: string, partition: number) => Promise<StartPosition>;
  /** Still the generation that joined (a rebalance meanwhile ends this hold). */
  readonly isCurrent: () => boolean;
  readonly onReset: (topic: string, partition: number, reset: OffsetReset) => void;
  readonly onRetry: (err: unknown) => void;
  readonly retryMs: number;
}

/**
 * Called on GROUP_JOIN, which kafkajs emits before it fetches anything for the new
 * generation: pauses the assigned partitions at once, reads where each starts (committed
 * offset, pending range, log bounds), seeks the ones whose committed offset is out of range
 * to where KAFKA_OFFSET_OUT_OF_RANGE says, then resumes them. kafkajs never fetches an
 * out-of-range offset, so it never resets one on its own (which would overwrite the
 * recorded pending range with a bare offset).
 */
export function holdUntilPositioned(
  consumer: Pick<Consumer, 'pause' | 'resume' | 'seek'>,
  assignment: Record<string, number[]>,
  options: PositioningOptions,
): Promise<void> {
  const held = Object.entries(assignment)
    .filter(([, partitions]) => partitions.length > 0)
    .map(([topic, partitions]) => ({ topic, partitions }));
  if (held.length === 0) return Promise.resolve();
  whileRunning(() => consumer.pause(held));
  return position(consumer, held, options);
}

async function position(
  consumer: Pick<Consumer, 'resume' | 'seek'>,
  held: readonly { topic: string; partitions: number[] }[],
  options: PositioningOptions,
): Promise<void> {
  for (;;) {
    if (!options.isCurrent()) return;
    try {
      const starts = await Promise.all(
        held.flatMap(({ topic, partitions }) =>
          partitions.map(async (partition) => ({
            topic,
            partition,
            start: await options.position(topic, partition),
          })),
        ),
      );
      if (!options.isCurrent()) return;
      for (const { topic, partition, start } of starts) {
        if (start.reset === undefined) continue;
        options.onReset(topic, partition, start.reset);
        const offset = start.reset.to.toString();
        whileRunning(() => consumer.seek({ topic, partition, offset }));
      }
      whileRunning(() => consumer.resume([...held]));
      return;
    } catch (err) {
      options.onRetry(err);
      await sleep(options.retryMs);
    }
  }
}
