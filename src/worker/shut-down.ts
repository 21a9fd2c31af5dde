import type { ClickHouseClient } from '@clickhouse/client';
import type { Admin, Consumer } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import { whileRunning } from '../consume/partition-pauser.ts';
import type { DeadLetterPublisher } from '../dlq/dead-letter-publisher.ts';
import { errorMessage } from '../errors.ts';
import type { Logger } from '../log/logger.ts';
import type { PartitionPipeline } from '../pipeline/partition-pipeline.ts';
import type { PartitionPipelines } from './partition-pipelines.ts';

export interface ShutDownParts {
  readonly consumer: Consumer;
  readonly admin: Admin;
  readonly clickhouse: ClickHouseClient;
  readonly deadLetters: DeadLetterPublisher;
  readonly pipelines: PartitionPipelines;
  readonly topics: readonly string[];
  readonly pollMs: number;
  readonly log: Logger;
  /** A delivery failed unexpectedly while draining. */
  readonly fail: (err: unknown) => void;
}

/**
 * Graceful stop: take no more messages, seal and deliver what is held, commit, leave the
 * group, close the clients. Whatever is not committed by the deadline is re-read by the next
 * owner (and deduplicated), never lost.
 */
export async function shutDown(parts: ShutDownParts, deadline: number): Promise<void> {
  const { consumer, log, pipelines } = parts;
  // Before the group is joined, or between a crashed rejoin and its restart, there is no
  // consumer group to pause: nothing is being fetched then either.
  whileRunning(() => consumer.pause(parts.topics.map((topic) => ({ topic }))));
  const unfinished = await drainPipelines(pipelines, deadline, parts.pollMs, parts.fail);
  if (unfinished.length > 0) {
    log.warn(
      { partitions: unfinished.map((p) => `${p.topic}[${p.partition}]`) },
      'drain deadline reached; the next owner re-reads these',
    );
  }
  const ended = pipelines.newGeneration();
  await Promise.allSettled(ended.map((p) => p.join()));
  // Leaving the group can fail or hang mid-rebalance; what landed is committed already and
  // the rest is re-read by the next owner, so a failed goodbye is not a failed stop.
  await Promise.race([
    consumer.disconnect().catch((err: unknown) => {
      log.warn({ err: errorMessage(err) }, 'consumer did not disconnect cleanly');
    }),
    sleep(Math.max(1_000, deadline - Date.now()), undefined, { ref: false }),
  ]);
  await Promise.allSettled([
    parts.deadLetters.close(),
    parts.admin.disconnect(),
    parts.clickhouse.close(),
  ]);
  log.info('worker stopped');
}

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
