import { decodePendingRange } from '../../commit/pending-range.ts';

/** One partition as the group and the tables see it when the group is empty. */
export interface HandoverPartition {
  readonly topic: string;
  readonly partition: number;
  readonly logEnd: bigint;
  /** The group's committed offset (the next message to read), if it ever committed. */
  readonly committed: bigint | undefined;
  readonly metadata: string | null;
  /** 1 + the highest offset of this partition that landed (events or the errors table). */
  readonly landedEnd: bigint | undefined;
}

export interface HandoverPlan {
  /** Commits that make the next owner start right after what already landed. */
  readonly moves: readonly {
    topic: string;
    partition: number;
    from: bigint | undefined;
    to: bigint;
  }[];
  /** Reasons the switch must not happen now. */
  readonly blockers: readonly string[];
  readonly notes: readonly string[];
}

/**
 * Where the next mode starts, so that nothing is lost or landed twice. Both modes share the
 * consumer group, so normally the committed offsets are the hand-over point. Two cases need
 * care:
 * - a worker that died between recording a pending range and its final commit: only a worker
 *   can finish that range exactly (its dead letters may not be written yet), so the switch is
 *   blocked until one has;
 * - rows that landed beyond the committed offset (the Kafka engine inserted a block, then
 *   stopped before committing it): the offset is moved to just after them, or the next mode
 *   would insert them again.
 * Landed offsets beyond the log end (a re-created topic) are ignored and reported.
 */
export function planOffsetHandover(partitions: readonly HandoverPartition[]): HandoverPlan {
  const moves: { topic: string; partition: number; from: bigint | undefined; to: bigint }[] = [];
  const blockers: string[] = [];
  const notes: string[] = [];
  for (const p of partitions) {
    const where = `${p.topic}[${p.partition}]`;
    if (p.committed !== undefined) {
      const pending = decodePendingRange(p.metadata, p.committed);
      if (pending !== undefined) {
        blockers.push(
          `${where}: a worker stopped in the middle of offsets ${pending.first}-${pending.last} (pending range in the committed metadata); start one worker in mode worker, let it catch up, stop it with SIGTERM, then switch`,
        );
        continue;
      }
    }
    if (p.landedEnd === undefined) continue;
    if (p.landedEnd > p.logEnd) {
      notes.push(
        `${where}: rows landed up to offset ${p.landedEnd - 1n} but the log ends at ${p.logEnd} (topic re-created?): ignored`,
      );
      continue;
    }
    if (p.committed === undefined || p.landedEnd > p.committed) {
      moves.push({ topic: p.topic, partition: p.partition, from: p.committed, to: p.landedEnd });
    }
  }
  return { moves, blockers, notes };
}
