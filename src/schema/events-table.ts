import { renderMigrations } from './render-schema.ts';
import { SchemaRenderError } from './schema-target.ts';

/**
 * The single-node `CREATE TABLE` of the events table alone, taken from the first
 * migration (schemas/migrations/0001_events.up.sql). Tests that need a bare events table
 * use it; deployments run the migrations (`hanzo-ingest migrate up`), which also create
 * the rollups.
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
}: EventsTableOptions): string {
  const [first] = renderMigrations({
    database,
    eventsTable: table,
    ...(deduplicationWindow === undefined ? {} : { deduplicationWindow }),
  });
  const create = first?.up.find((s) =>
    s.sql.startsWith(`CREATE TABLE IF NOT EXISTS ${database}.${table}\n`),
  );
  if (create === undefined) throw new SchemaRenderError('0001 does not create the events table');
  return create.sql;
}
