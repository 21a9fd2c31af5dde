import type { GroupLag } from '../../consume/lag-reader.ts';

/**
 * One consumer of the Kafka table, as `system.kafka_consumers` shows it. Counts are the
 * consumer's since it was created (ClickHouse re-creates consumers, e.g. when the table is
 * re-attached); times are Unix seconds, 0 for never.
 */
export interface KafkaConsumerRow {
  readonly consumerId: string;
  readonly assignments: readonly { topic: string; partition: number; currentOffset: bigint }[];
  /** The consumer's most recent exceptions (ClickHouse keeps 10). */
  readonly exceptions: readonly { atSeconds: number; text: string }[];
  readonly messagesRead: number;
  readonly commits: number;
  readonly lastPollSeconds: number;
  readonly lastCommitSeconds: number;
  readonly lastRebalanceSeconds: number;
  readonly rebalanceAssignments: number;
  readonly rebalanceRevocations: number;
  readonly isCurrentlyUsed: boolean;
}

/** One engine consumer's figures, as the metrics export them. */
export interface KafkaEngineConsumerFigures {
  readonly consumerId: string;
  readonly assignedPartitions: number;
  readonly messagesRead: number;
  readonly commits: number;
  readonly rebalanceAssignments: number;
  readonly rebalanceRevocations: number;
  readonly lastPollSeconds: number;
  readonly lastCommitSeconds: number;
  readonly lastRebalanceSeconds: number;
  /** Time of the newest kept exception, 0 when none. */
  readonly lastExceptionSeconds: number;
  /** Exceptions ClickHouse keeps for the consumer (its 10 most recent). */
  readonly recentExceptions: number;
  readonly inUse: boolean;
}

export interface KafkaEnginePartitionLag {
  readonly topic: string;
  readonly partition: number;
  readonly logEnd: bigint;
  readonly committed: bigint | undefined;
  /** Messages the group still has to consume (from the committed offset, as in worker mode). */
  readonly lag: bigint;
  /** The position of the engine's consumer holding the partition, if one does. */
  readonly engineOffset: bigint | undefined;
  /** Read by the engine but not committed yet (a block being parsed and inserted). */
  readonly inFlight: bigint;
}

export interface KafkaEngineLag {
  readonly totalLag: bigint;
  readonly partitions: readonly KafkaEnginePartitionLag[];
  readonly consumers: number;
  readonly consumerFigures: readonly KafkaEngineConsumerFigures[];
  /** Partitions no engine consumer holds (a rebalance, or consumers down). */
  readonly unassigned: readonly string[];
  readonly messagesRead: number;
  readonly commits: number;
  /** The newest exception of each consumer that has one. */
  readonly exceptions: readonly string[];
}

/**
 * Lag of the Kafka-engine pipeline: the group's committed offsets against the log ends
 * (broker-side, the same numbers worker mode exports) joined with where each engine consumer
 * is (`system.kafka_consumers`). Pure: the readers are I/O around it.
 */
export function summarizeKafkaEngineLag(
  group: GroupLag,
  consumers: readonly KafkaConsumerRow[],
): KafkaEngineLag {
  const positions = new Map<string, bigint>();
  for (const c of consumers) {
    for (const a of c.assignments) positions.set(`${a.topic}:${a.partition}`, a.currentOffset);
  }
  const partitions = group.partitions.map((p): KafkaEnginePartitionLag => {
    const engineOffset = positions.get(`${p.topic}:${p.partition}`);
    const base = p.committed ?? p.logStart;
    const inFlight = engineOffset !== undefined && engineOffset > base ? engineOffset - base : 0n;
    return {
      topic: p.topic,
      partition: p.partition,
      logEnd: p.logEnd,
      committed: p.committed,
      lag: p.lag,
      engineOffset,
      inFlight,
    };
  });
  return {
    totalLag: group.totalLag,
    partitions,
    consumers: consumers.length,
    consumerFigures: consumers.map(figuresOf),
    unassigned: partitions
      .filter((p) => p.engineOffset === undefined)
      .map((p) => `${p.topic}[${p.partition}]`),
    messagesRead: consumers.reduce((n, c) => n + c.messagesRead, 0),
    commits: consumers.reduce((n, c) => n + c.commits, 0),
    exceptions: consumers.flatMap((c) => {
      const last = newest(c.exceptions);
      return last === undefined
        ? []
        : [`${c.consumerId} at ${new Date(last.atSeconds * 1000).toISOString()}: ${last.text}`];
    }),
  };
}

function figuresOf(c: KafkaConsumerRow): KafkaEngineConsumerFigures {
  return {
    consumerId: c.consumerId,
    assignedPartitions: c.assignments.length,
    messagesRead: c.messagesRead,
    commits: c.commits,
    rebalanceAssignments: c.rebalanceAssignments,
    rebalanceRevocations: c.rebalanceRevocations,
    lastPollSeconds: c.lastPollSeconds,
    lastCommitSeconds: c.lastCommitSeconds,
    lastRebalanceSeconds: c.lastRebalanceSeconds,
    lastExceptionSeconds: newest(c.exceptions)?.atSeconds ?? 0,
    recentExceptions: c.exceptions.length,
    inUse: c.isCurrentlyUsed,
  };
}

/** The newest exception (the list's order is ClickHouse's; the time decides). */
function newest(
  exceptions: readonly { atSeconds: number; text: string }[],
): { atSeconds: number; text: string } | undefined {
  let found: { atSeconds: number; text: string } | undefined;
  for (const e of exceptions) if (found === undefined || e.atSeconds >= found.atSeconds) found = e;
  return found;
}
