import { renderMigrations } from './render-schema.ts';
import { SchemaRenderError } from './schema-target.ts';

/**
 * The single-node statements that make the events table alone, as the migrations leave it:
 * the `CREATE TABLE` of the first migration (schemas/migrations/0001_events.up.sql), then
 * every later `ALTER TABLE` of it (0005_team_retention's column and TTL…). Tests that need a
 * bare events table run them; deployments run the migrations (`hanzo-ingest migrate up`),
 * which also create the rollups.
 */
export interface EventsTableOptions {
  readonly database: string;
  readonly table: string;
  /** Inserts remembered for token deduplication (plain MergeTree needs it set). */
  readonly deduplicationWindow?: number;
}

export function createEventsTableSql({
  database,
  table,
  deduplicationWindow,
}: EventsTableOptions): string[] {
  const [first, ...later] = renderMigrations({
    database,
    eventsTable: table,
    ...(deduplicationWindow === undefined ? {} : { deduplicationWindow }),
  });
  const create = first?.up.find((s) =>
    s.sql.startsWith(`CREATE TABLE IF NOT EXISTS ${database}.${table}\n`),
  );
  if (create === undefined) throw new SchemaRenderError('0001 does not create the events table');
  const alter = new RegExp(`^ALTER TABLE ${database}\\.${table}\\s`);
  const alters = later.flatMap((m) => m.up.filter((s) => alter.test(s.sql)).map((s) => s.sql));
  return [create.sql, ...alters];
}
