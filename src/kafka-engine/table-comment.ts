import type { ClickHouseClient } from '@clickhouse/client';

/** A table's comment (the applier's record of what it loaded), undefined when no such table. */
export async function tableComment(
  client: ClickHouseClient,
  qualified: string,
): Promise<string | undefined> {
  const [database = '', name = ''] = qualified.split('.');
  const result = await client.query({
    query: 'SELECT comment FROM system.tables WHERE database = {db:String} AND name = {n:String}',
    query_params: { db: database, n: name },
    format: 'JSONEachRow',
  });
  const [row] = await result.json<{ comment: string }>();
  return row?.comment;
}
