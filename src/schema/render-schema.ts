import { loadMigrationSources, migrationId, type MigrationSource } from './migration-sources.ts';
import {
  renderStatement,
  shardedTables,
  storageTable,
  type TemplateContext,
} from './render-template.ts';
import { instanceName, resolveTarget, type SchemaTarget } from './schema-target.ts';
import { splitStatements } from './split-statements.ts';

/** One SQL statement, ready to send on its own, and the migration it belongs to. */
export interface Statement {
  readonly sql: string;
  /** `0001_events` */
  readonly migration: string;
}

/** A migration rendered for one target: what `up` and `down` send, in order. */
export interface RenderedMigration {
  readonly version: number;
  readonly name: string;
  /** `0001_events` */
  readonly id: string;
  readonly checksum: string;
  readonly up: readonly Statement[];
  readonly down: readonly Statement[];
}

let defaultSources: readonly MigrationSource[] | undefined;

/** The migrations in schemas/migrations (read once per process). */
export function migrationSources(): readonly MigrationSource[] {
  defaultSources ??= loadMigrationSources();
  return defaultSources;
}

/** Every migration, rendered for `target` (clustered or not, distributed or not). */
export function renderMigrations(
  target: SchemaTarget,
  sources: readonly MigrationSource[] = migrationSources(),
): RenderedMigration[] {
  const context = templateContext(target, sources);
  return sources.map((source) => {
    const id = migrationId(source.version, source.name);
    const render = (script: string): Statement[] =>
      splitStatements(script)
        .map((statement) => renderStatement(statement, context))
        .filter((sql) => sql !== '')
        .map((sql) => ({ sql, migration: id }));
    return {
      version: source.version,
      name: source.name,
      id,
      checksum: source.checksum,
      up: render(source.up),
      down: render(source.down),
    };
  });
}

/** The whole schema: every `up` statement in order (what a fresh database gets). */
export function renderSchema(
  target: SchemaTarget,
  sources: readonly MigrationSource[] = migrationSources(),
): Statement[] {
  return renderMigrations(target, sources).flatMap((migration) => migration.up);
}

/** Statements as one script: each ends with `;` and a blank line follows it. */
export function formatScript(statements: readonly Statement[]): string {
  return statements.map((s) => `${s.sql};\n`).join('\n');
}

/**
 * Physical names of a schema object for `target`: where its rows are stored (`storage`,
 * `<name>_local` behind a Distributed table) and what queries and inserts use (`read`).
 * Both come qualified with the database.
 */
export function schemaTableName(
  target: SchemaTarget,
  logical: string,
  sources: readonly MigrationSource[] = migrationSources(),
): { readonly storage: string; readonly read: string } {
  const context = templateContext(target, sources);
  const resolved = context.target;
  return {
    storage: `${resolved.database}.${storageTable(context, logical)}`,
    read: `${resolved.database}.${instanceName(resolved, logical)}`,
  };
}

function templateContext(
  target: SchemaTarget,
  sources: readonly MigrationSource[],
): TemplateContext {
  return {
    target: resolveTarget(target),
    sharded: shardedTables(sources.flatMap((s) => [s.up, s.down])),
  };
}
