import type { ClickHouseClient } from '@clickhouse/client';
import { dropTable } from '../bench-context.ts';

/**
 * The ClickHouse objects `mode: kafka-engine` creates for a bench run, found by what they
 * name (the run's topic and group) and by the run's table prefix: to see what the engine
 * did when nothing lands, and to drop everything so it stops consuming after the run.
 */
/** Kafka engine tables whose definition names this run's topic or group. */
export async function kafkaTables(
  clickhouse: ClickHouseClient,
  marks: readonly string[],
): Promise<{ database: string; name: string; dependents: string[] }[]> {
  const result = await clickhouse.query({
    query: `SELECT database, name, dependencies_database AS dd, dependencies_table AS dt
            FROM system.tables
            WHERE engine = 'Kafka' AND multiSearchAny(create_table_query, {marks:Array(String)})`,
    query_params: { marks },
    format: 'JSONEachRow',
  });
  const rows = await result.json<{ database: string; name: string; dd: string[]; dt: string[] }>();
  return rows.map((r) => ({
    database: r.database,
    name: r.name,
    dependents: r.dt.map((t, i) => `${r.dd[i] ?? r.database}.${t}`),
  }));
}

/** What the engine did: messages read, consumer exceptions, rows its error path kept. */
export async function kafkaConsumerState(
  clickhouse: ClickHouseClient,
  prefix: string,
): Promise<string> {
  const parts: string[] = [];
  try {
    const result = await clickhouse.query({
      query: `SELECT count() AS consumers, sum(num_messages_read) AS read,
                     arrayStringConcat(arrayFilter(x -> x != '', groupArray(arrayStringConcat(exceptions.text, '; '))), ' | ') AS errors
              FROM system.kafka_consumers`,
      format: 'JSONEachRow',
    });
    const [row] = await result.json<{ consumers: string; read: string; errors: string }>();
    parts.push(
      `system.kafka_consumers: ${row?.consumers} consumers, ${row?.read} messages read${row?.errors ? `, exceptions: ${row.errors.slice(0, 300)}` : ''}`,
    );
  } catch (err) {
    parts.push(
      `system.kafka_consumers unreadable: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  // Error rows (kafka_handle_error_mode='stream'): any table of this run named *error*.
  const errorTables = await clickhouse
    .query({
      query: `SELECT name FROM system.tables WHERE database = currentDatabase()
              AND startsWith(name, {prefix:String}) AND name LIKE '%error%' AND engine NOT IN ('MaterializedView')`,
      query_params: { prefix: `${prefix}_` },
      format: 'JSONEachRow',
    })
    .then((r) => r.json<{ name: string }>())
    .catch(() => []);
  for (const { name } of errorTables) {
    const sample = await clickhouse
      .query({
        query: `SELECT count() OVER () AS n, * FROM ${name} LIMIT 1`,
        format: 'JSONEachRow',
      })
      .then((r) => r.json<Record<string, unknown>>())
      .catch(() => []);
    parts.push(
      `${name}: ${sample.length === 0 ? 'empty' : JSON.stringify(sample[0]).slice(0, 400)}`,
    );
  }
  return parts.join('; ');
}

/** The Kafka engine table must go, or ClickHouse keeps consuming after the run. */
export async function dropNativeObjects(
  clickhouse: ClickHouseClient,
  marks: readonly string[],
  prefix: string,
): Promise<void> {
  const tables = await kafkaTables(clickhouse, marks).catch(() => []);
  for (const t of tables) {
    for (const view of t.dependents) await dropTable(clickhouse, view);
    await dropTable(clickhouse, `${t.database}.${t.name}`);
  }
  // Then whatever else the mode created for this run's table (`<table>_…`): views first,
  // then dictionaries, then the tables they read.
  const result = await clickhouse
    .query({
      query: `SELECT database, name, engine FROM system.tables
              WHERE database = currentDatabase() AND startsWith(name, {prefix:String})
              ORDER BY engine = 'MaterializedView' DESC, engine = 'Dictionary' DESC`,
      query_params: { prefix: `${prefix}_` },
      format: 'JSONEachRow',
    })
    .then((r) => r.json<{ database: string; name: string; engine: string }>())
    .catch(() => []);
  for (const o of result) {
    const kind = o.engine === 'Dictionary' ? 'DICTIONARY' : 'TABLE';
    await clickhouse
      .command({ query: `DROP ${kind} IF EXISTS ${o.database}.${o.name} SYNC` })
      .catch(() => undefined);
  }
}
