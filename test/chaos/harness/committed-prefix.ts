import type { ClickHouseClient } from '@clickhouse/client';
import { queryRows } from '../../support/clickhouse.ts';

/**
 * Partitions whose committed offset claims more than landed: for each partition p with
 * committed offset c, every offset below c must be a row (no dead letters expected here).
 * A worker never inserts below its committed offset again, so checking after the fact is
 * sound. Returns "p: committed c, landed n" for each offending partition.
 */
export async function committedBeyondLanded(
  clickhouse: ClickHouseClient,
  table: string,
  committed: ReadonlyMap<number, number>,
): Promise<string[]> {
  const bounds = [...committed].filter(([, c]) => c > 0);
  if (bounds.length === 0) return [];
  const rows = await queryRows<{ p: number; n: string }>(
    clickhouse,
    `SELECT _partition AS p, uniqExact(_offset) AS n FROM ${table}
     WHERE (_partition, _offset) IN (
       SELECT b.1, arrayJoin(range(toUInt64(b.2))) FROM (SELECT arrayJoin([${bounds.map(([p, c]) => `(${p},${c})`).join(',')}]) AS b)
     )
     GROUP BY p`,
  );
  const landed = new Map(rows.map((r) => [Number(r.p), Number(r.n)]));
  return bounds
    .filter(([p, c]) => (landed.get(p) ?? 0) !== c)
    .map(([p, c]) => `${p}: committed ${c}, landed ${landed.get(p) ?? 0}`);
}
