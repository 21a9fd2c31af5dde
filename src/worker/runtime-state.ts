import type { WorkerRuntimeState } from '../observe/ingest-metrics.ts';
import type { PartitionPipeline } from '../pipeline/partition-pipeline.ts';
import type { WiredPipeline } from '../pipeline/wire-pipeline.ts';

/** What the worker holds right now, for metrics and /readyz (cheap: a walk over the pipelines). */
export function runtimeStateOf(
  pipelines: Iterable<PartitionPipeline>,
  wired: Pick<WiredPipeline, 'insertQueue' | 'budget' | 'deadLetters'>,
  running: boolean,
  stopping: boolean,
): WorkerRuntimeState {
  let paused = 0;
  let oldest: number | undefined;
  for (const pipeline of pipelines) {
    if (pipeline.paused) paused++;
    const held = pipeline.oldestHeldAt;
    if (held !== undefined && (oldest === undefined || held < oldest)) oldest = held;
  }
  return {
    running,
    stopping,
    pausedPartitions: paused,
    insertsInFlight: wired.insertQueue.pending,
    bufferedBytes: wired.budget.heldBytes,
    oldestUnflushedAtMs: oldest,
    dlq: wired.deadLetters.writability,
  };
}
