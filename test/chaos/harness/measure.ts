import type { ClickHouseClient } from '@clickhouse/client';
import type { Kafka } from 'kafkajs';
import { DLQ_HEADERS } from '../../../src/dlq/dead-letter-headers.ts';
import { queryRows } from '../../support/clickhouse.ts';
import { committedOffsets, headerText, logEndOffsets, readTopic } from '../../support/kafka.ts';
import { checkRollups, type RollupCheck } from './rollups.ts';

/** What one scenario left behind, computed from Kafka and ClickHouse only. */
export interface Measurement {
  /** Messages in the topic (sum of log-end offsets): what Kafka holds. */
  readonly produced: number;
  /** Events the producers saw acknowledged (≤ produced; retried sends may have landed too). */
  readonly acked: number;
  /** count() in events. */
  readonly landed: number;
  /** uniqExact(uuid) in events. */
  readonly unique: number;
  /** Distinct source messages (partition, offset) in the DLQ topic. */
  readonly deadLetters: number;
  /** DLQ records beyond one per source message (dead letters are at least once). */
  readonly deadLetterRepeats: number;
  /** produced − uniqExact(uuid) − dead letters. */
  readonly lost: number;
  /** count() − uniqExact(uuid). */
  readonly duplicates: number;
  /** count() − uniqExact((_partition, _offset)): one Kafka message landed more than once. */
  readonly offsetDuplicates: number;
  /** Rows whose Kafka message was also dead-lettered (must be 0). */
  readonly landedAndDeadLettered: number;
  /** Up to 10 "partition:offset" of messages neither landed nor dead-lettered. */
  readonly missingSample: readonly string[];
  /** The group's committed offset equals the log end on every partition. */
  readonly committedAtLogEnd: boolean;
  /** Sum over partitions of log end − committed. */
  readonly lag: number;
  readonly rollups: readonly RollupCheck[];
}

export interface MeasureTarget {
  readonly kafka: Kafka;
  readonly clickhouse: ClickHouseClient;
  readonly topic: string;
  readonly dlqTopic: string;
  readonly table: string;
  readonly group: string;
  readonly acked: number;
}

export async function measure(target: MeasureTarget): Promise<Measurement> {
  const { kafka, clickhouse, topic, table } = target;
  const ends = await logEndOffsets(kafka, topic);
  const produced = sum(ends.values());
  const committed = await committedOffsets(kafka, target.group, topic);
  const lag = sum([...ends].map(([p, end]) => end - Math.max(0, committed.get(p) ?? 0)));
  const committedAtLogEnd = [...ends].every(([p, end]) => committed.get(p) === end);

  const [row] = await queryRows<{ rows: string; unique: string; origins: string }>(
    clickhouse,
    `SELECT count() AS rows, uniqExact(uuid) AS unique, uniqExact(_partition, _offset) AS origins FROM ${table}`,
  );
  const landed = Number(row?.rows ?? 0);
  const unique = Number(row?.unique ?? 0);
  const origins = Number(row?.origins ?? 0);

  const dead = await deadLetterOrigins(kafka, target.dlqTopic, topic);
  const landedAndDeadLettered =
    dead.origins.size === 0 ? 0 : await countLanded(clickhouse, table, dead.origins);
  const lost = produced - unique - dead.origins.size;
  const missingSample = lost > 0 ? await missingOrigins(clickhouse, table, ends, dead.origins) : [];
  return {
    produced,
    acked: target.acked,
    landed,
    unique,
    deadLetters: dead.origins.size,
    deadLetterRepeats: dead.records - dead.origins.size,
    lost,
    duplicates: landed - unique,
    offsetDuplicates: landed - origins,
    landedAndDeadLettered,
    missingSample,
    committedAtLogEnd,
    lag,
    rollups: await checkRollups(clickhouse, table),
  };
}

async function deadLetterOrigins(
  kafka: Kafka,
  dlqTopic: string,
  sourceTopic: string,
): Promise<{ origins: Set<string>; records: number }> {
  const origins = new Set<string>();
  let records = 0;
  for (const message of await readTopic(kafka, dlqTopic, 60_000)) {
    if (headerText(message.headers, DLQ_HEADERS.sourceTopic) !== sourceTopic) continue;
    records++;
    const partition = headerText(message.headers, DLQ_HEADERS.sourcePartition);
    const offset = headerText(message.headers, DLQ_HEADERS.sourceOffset);
    origins.add(`${partition}:${offset}`);
  }
  return { origins, records };
}

function originTuples(origins: Iterable<string>): string {
  return [...origins].map((o) => `(${o.replace(':', ',')})`).join(',');
}

async function countLanded(
  clickhouse: ClickHouseClient,
  table: string,
  origins: Set<string>,
): Promise<number> {
  const [row] = await queryRows<{ n: string }>(
    clickhouse,
    `SELECT count() AS n FROM ${table} WHERE (_partition, _offset) IN (${originTuples(origins)})`,
  );
  return Number(row?.n ?? 0);
}

/** Offsets below the log end that are neither a row nor a dead letter. */
async function missingOrigins(
  clickhouse: ClickHouseClient,
  table: string,
  ends: Map<number, number>,
  dead: Set<string>,
): Promise<string[]> {
  const bounds = [...ends].map(([p, end]) => `(${p},${end})`).join(',');
  const rows = await queryRows<{ p: number; o: string }>(
    clickhouse,
    `SELECT b.1 AS p, arrayJoin(range(toUInt64(b.2))) AS o
     FROM (SELECT arrayJoin([${bounds}]) AS b)
     WHERE (p, o) NOT IN (SELECT _partition, _offset FROM ${table})
     ORDER BY p, o LIMIT ${dead.size + 10}`,
  );
  return rows
    .map((r) => `${r.p}:${r.o}`)
    .filter((o) => !dead.has(o))
    .slice(0, 10);
}

function sum(values: Iterable<number>): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}
