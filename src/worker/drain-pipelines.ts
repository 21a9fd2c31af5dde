import { setTimeout as sleep } from 'node:timers/promises';
import type { PartitionPipeline } from '../pipeline/partition-pipeline.ts';

/**
 * At shutdown: seals every open batch and delivers them all, until every pipeline is idle or
 * the deadline passes. Returns the pipelines left unfinished (their ranges are re-read by the
 * next owner). A delivery that failed unexpectedly is reported through `fail`.
 */
export async function drainPipelines(
  pipelines: { all(): IterableIterator<PartitionPipeline> },
  deadline: number,
  pollMs: number,
  fail: (err: unknown) => void,
): Promise<PartitionPipeline[]> {
  while (Date.now() < deadline) {
    const running: Promise<void>[] = [];
    let busy = false;
    for (const pipeline of pipelines.all()) {
      try {
        pipeline.poll(true);
      } catch (err) {
        fail(err);
        return [];
      }
      if (pipeline.idle || !pipeline.alive) continue;
      busy = true;
      if (pipeline.delivering) running.push(pipeline.join());
    }
    if (!busy) break;
    // Wait for a delivery to finish, or a poll interval: a pipeline re-forming a pending
    // range holds an open batch that is never sealed early, and awaiting nothing would spin
    // the loop on microtasks until the deadline.
    await (running.length === 0
      ? sleep(pollMs)
      : Promise.race([Promise.allSettled(running), sleep(pollMs)]));
  }
  return [...pipelines.all()].filter((p) => !p.idle && p.alive);
}
