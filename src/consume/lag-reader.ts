import type { Admin } from 'kafkajs';

export interface PartitionLag {
  readonly topic: string;
  readonly partition: number;
  /** First offset still in the log (retention moves it). */
  readonly logStart: bigint;
  /** Log-end offset (high watermark): the offset the next message will get. */
  readonly logEnd: bigint;
  /** The group's committed offset (the next offset to consume), if it ever committed. */
  readonly committed: bigint | undefined;
  /** Messages the group still has to consume on this partition. */
  readonly lag: bigint;
}

export interface GroupLag {
  readonly groupId: string;
  /** Coordinator's view of the group: Stable, PreparingRebalance, Empty, Dead, ... */
  readonly state: string;
  readonly members: number;
  readonly partitions: readonly PartitionLag[];
  readonly totalLag: bigint;
  readonly readAtMs: number;
}

/**
 * Lag of one partition from broker offsets. With no committed offset the group starts at
 * the log start (`fromBeginning`) or at the end; an offset that retention deleted from
 * under the group counts from the log start, where consumption resumes.
 */
export function partitionLag(
  topic: string,
  partition: number,
  offsets: { logStart: bigint; logEnd: bigint; committed: bigint | undefined },
  fromBeginning: boolean,
): PartitionLag {
  const { logStart, logEnd, committed } = offsets;
  const position =
    committed === undefined ? (fromBeginning ? logStart : logEnd) : max(committed, logStart);
  const lag = logEnd > position ? logEnd - position : 0n;
  return { topic, partition, logStart, logEnd, committed, lag };
}

export type LagAdmin = Pick<Admin, 'fetchTopicOffsets' | 'fetchOffsets' | 'describeGroups'>;

/**
 * Reads a consumer group's lag from the brokers: log offsets of every partition of the
 * topics against the group's committed offsets. Independent of any consumer of the group,
 * so it stays true while workers are down or rebalancing.
 */
export async function readGroupLag(
  admin: LagAdmin,
  request: { groupId: string; topics: readonly string[]; fromBeginning: boolean },
  now: () => number = Date.now,
): Promise<GroupLag> {
  const { groupId, topics, fromBeginning } = request;
  const [ends, committed, described] = await Promise.all([
    Promise.all(
      topics.map(async (topic) => ({ topic, offsets: await admin.fetchTopicOffsets(topic) })),
    ),
    admin.fetchOffsets({ groupId, topics: [...topics] }),
    admin.describeGroups([groupId]),
  ]);
  const committedBy = new Map<string, bigint>();
  for (const t of committed) {
    for (const p of t.partitions) {
      const offset = BigInt(p.offset);
      if (offset >= 0n) committedBy.set(`${t.topic}:${p.partition}`, offset);
    }
  }
  const partitions: PartitionLag[] = [];
  for (const { topic, offsets } of ends) {
    for (const o of [...offsets].sort((a, b) => a.partition - b.partition)) {
      partitions.push(
        partitionLag(
          topic,
          o.partition,
          {
            logStart: BigInt(o.low),
            logEnd: BigInt(o.high),
            committed: committedBy.get(`${topic}:${o.partition}`),
          },
          fromBeginning,
        ),
      );
    }
  }
  const group = described.groups.find((g) => g.groupId === groupId);
  return {
    groupId,
    state: group?.state ?? 'Unknown',
    members: group?.members.length ?? 0,
    partitions,
    totalLag: partitions.reduce((sum, p) => sum + p.lag, 0n),
    readAtMs: now(),
  };
}

function max(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
