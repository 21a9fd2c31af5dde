/** The stack the test runner (test/run.ts) started, read from the environment it set. */
export interface TestStack {
  readonly brokers: string[];
  readonly clickhouse: { url: string; username: string; password: string };
}

export function testStack(): TestStack {
  const brokers = process.env['KAFKA_BROKERS'];
  const url = process.env['CLICKHOUSE_URL'];
  if (brokers === undefined || url === undefined) {
    throw new Error('integration tests need the stack: run them through `npm test` (test/run.ts)');
  }
  return {
    brokers: brokers.split(','),
    clickhouse: {
      url,
      username: process.env['CLICKHOUSE_USER'] ?? 'default',
      password: process.env['CLICKHOUSE_PASSWORD'] ?? '',
    },
  };
}

let counter = 0;
/** A name no other test (or earlier run) uses: topics, groups and tables are per test. */
export function uniqueName(prefix: string): string {
  counter++;
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${counter}`;
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined | false>,
  options: { timeoutMs: number; intervalMs?: number; what: string },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 250));
  }
  throw new Error(
    `timed out after ${options.timeoutMs} ms waiting for ${options.what}${last instanceof Error ? `: ${last.message}` : ''}`,
  );
}
