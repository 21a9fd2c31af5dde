import type { Consumer } from 'kafkajs';
import { pollingWait } from '../retry/polling-wait.ts';
import type { RetryPolicy } from '../retry/retry-policy.ts';
import { whileRunning } from './partition-pauser.ts';
import type { OffsetReset, StartPosition } from './start-position.ts';

export interface PositioningOptions {
  /** The start position of a partition (CommittedOffsets, cached for the generation). */
  readonly position: (topic: string, partition: number) => Promise<StartPosition>;
  /** Still the generation that joined (a rebalance meanwhile ends this hold). */
  readonly isCurrent: () => boolean;
  readonly onReset: (topic: string, partition: number, reset: OffsetReset) => void;
  /** Reading the positions failed; read again after `delayMs`. */
  readonly onRetry: (err: unknown, attempt: number, delayMs: number) => void;
  /** Failures are retried under it until the generation is over (retry/retry-policy.ts). */
  readonly retry: RetryPolicy;
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

/** Every failure is retried; a generation that is over ends it (the next join holds again). */
async function position(
  consumer: Pick<Consumer, 'resume' | 'seek'>,
  held: readonly { topic: string; partitions: number[] }[],
  options: PositioningOptions,
): Promise<void> {
  const over = new AbortController();
  const attempt = async (): Promise<void> => {
    if (!options.isCurrent()) return;
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
  };
  try {
    await options.retry.run(attempt, {
      signal: over.signal,
      onRetry: options.onRetry,
      wait: pollingWait(over, { keepWaiting: options.isCurrent }),
    });
  } catch (err) {
    if (!over.signal.aborted) throw err;
  }
}
