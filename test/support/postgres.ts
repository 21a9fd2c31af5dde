import pg from 'pg';

/** The stack's PostgreSQL (test/run.ts starts it), as a connection string. */
export function testPostgresUrl(): string {
  const url = process.env['POSTGRES_URL'];
  if (url === undefined) {
    throw new Error('integration tests need the stack: run them through `npm test` (test/run.ts)');
  }
  return url;
}

/** Runs statements on one connection, closed after. */
export async function runSql(url: string, ...statements: string[]): Promise<pg.QueryResult[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const results: pg.QueryResult[] = [];
    for (const sql of statements) results.push(await client.query(sql));
    return results;
  } finally {
    await client.end();
  }
}

/** One sample of a metric from a Prometheus text page (undefined: not exported). */
export function metricValue(page: string, name: string): number | undefined {
  const line = page.split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}
