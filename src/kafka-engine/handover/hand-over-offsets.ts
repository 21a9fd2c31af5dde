import { setTimeout as sleep } from 'node:timers/promises';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Admin } from 'kafkajs';
import { IngestError } from '../../errors.ts';
import {
  planOffsetHandover,
  type HandoverPartition,
  type HandoverPlan,
} from './plan-offset-handover.ts';

/** The switch cannot happen now; `blockers` say why and what to do. */
export class HandoverBlockedError extends IngestError {
  readonly blockers: readonly string[];

  constructor(blockers: readonly string[]) {
    super(`mode switch blocked:\n  ${blockers.join('\n  ')}`, { retriable: false });
    this.blockers = blockers;
  }
}

export interface HandoverDeps {
  readonly admin: Pick<
    Admin,
    'describeGroups' | 'fetchOffsets' | 'fetchTopicOffsets' | 'setOffsets'
  >;
  readonly clickhouse: ClickHouseClient;
  readonly groupId: string;
  readonly topics: readonly string[];
  /** Tables whose `_topic`/`_partition`/`_offset` say what already landed. */
  readonly landedTables: readonly string[];
  readonly log: (fields: object, message: string) => void;
}

/** States in which no member of the group consumes. */
const IDLE_STATES = new Set(['Empty', 'Dead']);

/**
 * The hand-over point between the modes: waits until nobody consumes in the group, checks
 * what the committed offsets and the landed rows say (planOffsetHandover), moves offsets
 * past rows that landed without a commit, and returns what it found and did.
 */
export async function handOverOffsets(
  deps: HandoverDeps,
  options: { waitMs: number; pollMs?: number; dryRun?: boolean },
): Promise<HandoverPlan> {
  await waitForIdleGroup(deps, options.waitMs, options.pollMs ?? 1_000);
  const partitions = await readHandoverPartitions(deps);
  const plan = planOffsetHandover(partitions);
  if (plan.blockers.length > 0) throw new HandoverBlockedError(plan.blockers);
  for (const note of plan.notes) deps.log({ groupId: deps.groupId }, note);
  if (options.dryRun !== true) {
    for (const move of plan.moves) {
      await deps.admin.setOffsets({
        groupId: deps.groupId,
        topic: move.topic,
        partitions: [{ partition: move.partition, offset: move.to.toString() }],
      });
      deps.log(
        {
          topic: move.topic,
          partition: move.partition,
          from: move.from?.toString(),
          to: move.to.toString(),
        },
        'rows had landed beyond the committed offset: offset moved past them',
      );
    }
  }
  return plan;
}

async function waitForIdleGroup(deps: HandoverDeps, waitMs: number, pollMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  let logged = false;
  for (;;) {
    const { groups } = await deps.admin.describeGroups([deps.groupId]);
    const group = groups.find((g) => g.groupId === deps.groupId);
    if (group === undefined || IDLE_STATES.has(group.state) || group.members.length === 0) return;
    if (Date.now() >= deadline) {
      throw new HandoverBlockedError([
        `consumer group ${deps.groupId} still has ${group.members.length} member(s) (state ${group.state}, protocol ${group.protocol}) after ${Math.round(waitMs / 1000)} s: stop the other mode first (workers: SIGTERM; kafka-engine: hanzo-ingest kafka-engine stop)`,
      ]);
    }
    if (!logged) {
      deps.log(
        {
          groupId: deps.groupId,
          members: group.members.length,
          state: group.state,
          protocol: group.protocol,
        },
        'waiting for the consumer group to empty before taking over',
      );
      logged = true;
    }
    await sleep(pollMs);
  }
}

async function readHandoverPartitions(deps: HandoverDeps): Promise<HandoverPartition[]> {
  const [committed, ends, landed] = await Promise.all([
    deps.admin.fetchOffsets({ groupId: deps.groupId, topics: [...deps.topics] }),
    Promise.all(
      deps.topics.map(async (topic) => ({
        topic,
        offsets: await deps.admin.fetchTopicOffsets(topic),
      })),
    ),
    readLandedEnds(deps),
  ]);
  const committedBy = new Map<string, { offset: bigint; metadata: string | null }>();
  for (const t of committed) {
    for (const p of t.partitions) {
      const offset = BigInt(p.offset);
      if (offset >= 0n)
        committedBy.set(`${t.topic}:${p.partition}`, { offset, metadata: p.metadata });
    }
  }
  return ends.flatMap(({ topic, offsets }) =>
    offsets.map((o) => {
      const c = committedBy.get(`${topic}:${o.partition}`);
      return {
        topic,
        partition: o.partition,
        logEnd: BigInt(o.high),
        committed: c?.offset,
        metadata: c?.metadata ?? null,
        landedEnd: landed.get(`${topic}:${o.partition}`),
      };
    }),
  );
}

async function readLandedEnds(deps: HandoverDeps): Promise<Map<string, bigint>> {
  const ends = new Map<string, bigint>();
  for (const table of deps.landedTables) {
    if (!(await tableExists(deps.clickhouse, table))) continue;
    const result = await deps.clickhouse.query({
      query: `SELECT toString(_topic) AS topic, toUInt32(_partition) AS partition, toString(max(_offset) + 1) AS landed_end FROM ${table} WHERE _topic IN {topics:Array(String)} GROUP BY topic, partition`,
      query_params: { topics: [...deps.topics] },
      format: 'JSONEachRow',
    });
    for (const row of await result.json<{
      topic: string;
      partition: number;
      landed_end: string;
    }>()) {
      const key = `${row.topic}:${row.partition}`;
      const end = BigInt(row.landed_end);
      const known = ends.get(key);
      if (known === undefined || end > known) ends.set(key, end);
    }
  }
  return ends;
}

async function tableExists(client: ClickHouseClient, qualified: string): Promise<boolean> {
  const [database = '', name = ''] = qualified.split('.');
  const result = await client.query({
    query:
      'SELECT count() AS n FROM system.tables WHERE database = {db:String} AND name = {n:String}',
    query_params: { db: database, n: name },
    format: 'JSONEachRow',
  });
  const [row] = await result.json<{ n: string | number }>();
  return Number(row?.n ?? 0) > 0;
}
