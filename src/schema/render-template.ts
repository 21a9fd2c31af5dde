import {
  deduplicationWindowSetting,
  distributedEngine,
  mergeTreeEngine,
  onClusterClause,
} from './engine-clause.ts';
import { instanceName, SchemaRenderError, type ResolvedTarget } from './schema-target.ts';

/**
 * Placeholders of the schema templates (schemas/README.md explains each):
 *
 *   {{database}}                 the target database
 *   {{table X}}                  db.<storage table of X> (`X_local` behind a Distributed table)
 *   {{read X}}                   db.<X as queries see it> (the Distributed table, if any)
 *   {{on_cluster}}               ` ON CLUSTER '<cluster>'` or nothing
 *   {{engine X Engine(args)}}    Engine(args), or ReplicatedEngine('<path of X>', '{replica}', args)
 *   {{dedup_window}}             the insert deduplication window setting
 *   {{distributed X [key]}}      a whole statement: the Distributed table X over X_local, or nothing
 *   {{drop_distributed X}}       a whole statement: drops that Distributed table, or nothing
 */
const PLACEHOLDER = /\{\{\s*([a-z_]+)((?:\s+[^\s}][^}]*?)?)\s*\}\}/g;

/** Placeholders that stand for a whole statement (rendered empty when not distributed). */
const STATEMENT_PLACEHOLDERS = new Set(['distributed', 'drop_distributed']);

export interface TemplateContext {
  readonly target: ResolvedTarget;
  /** Logical names of the tables that get a Distributed table in front (from every template). */
  readonly sharded: ReadonlySet<string>;
}

/** Logical names declared with `{{distributed X …}}` in `sources`. */
export function shardedTables(sources: readonly string[]): Set<string> {
  const names = new Set<string>();
  for (const source of sources) {
    for (const match of source.matchAll(PLACEHOLDER)) {
      if (match[1] === 'distributed') {
        const name = argumentsOf(match[2]).at(0);
        if (name !== undefined) names.add(name);
      }
    }
  }
  return names;
}

/** The physical name of X's storage table for this target. */
export function storageTable(context: TemplateContext, logical: string): string {
  const name = instanceName(context.target, logical);
  return context.target.distributed && context.sharded.has(logical) ? `${name}_local` : name;
}

/** Renders one statement; '' when it is a statement placeholder that does not apply. */
export function renderStatement(statement: string, context: TemplateContext): string {
  const whole = /^\{\{\s*([a-z_]+)[^}]*\}\}$/.exec(statement.trim());
  if (whole !== null && STATEMENT_PLACEHOLDERS.has(whole[1] ?? '')) {
    return statement
      .trim()
      .replace(PLACEHOLDER, (_, name: string, args: string) =>
        renderStatementPlaceholder(name, argumentsOf(args), context),
      );
  }
  return statement.replace(PLACEHOLDER, (_, name: string, args: string) =>
    renderInline(name, argumentsOf(args), context),
  );
}

function renderInline(name: string, args: readonly string[], context: TemplateContext): string {
  const { target } = context;
  switch (name) {
    case 'database':
      expectArgs(name, args, 0);
      return target.database;
    case 'table':
      expectArgs(name, args, 1);
      return `${target.database}.${storageTable(context, args[0] ?? '')}`;
    case 'read':
      expectArgs(name, args, 1);
      return `${target.database}.${instanceName(target, args[0] ?? '')}`;
    case 'on_cluster':
      expectArgs(name, args, 0);
      return onClusterClause(target);
    case 'engine': {
      const [table = '', ...engine] = args;
      if (engine.length === 0) throw new SchemaRenderError('{{engine X Engine}}: engine missing');
      return mergeTreeEngine(target, storageTable(context, table), engine.join(' '));
    }
    case 'dedup_window':
      expectArgs(name, args, 0);
      return deduplicationWindowSetting(target);
    default:
      throw new SchemaRenderError(
        STATEMENT_PLACEHOLDERS.has(name)
          ? `{{${name}}} must be a statement of its own`
          : `unknown placeholder {{${name}}}`,
      );
  }
}

function renderStatementPlaceholder(
  name: string,
  args: readonly string[],
  context: TemplateContext,
): string {
  const { target } = context;
  const [logical = '', ...key] = args;
  if (logical === '') throw new SchemaRenderError(`{{${name}}}: table missing`);
  if (!target.distributed) return '';
  const table = `${target.database}.${instanceName(target, logical)}`;
  if (name === 'drop_distributed') {
    expectArgs(name, args, 1);
    return `DROP TABLE IF EXISTS ${table}${onClusterClause(target)} SYNC`;
  }
  const local = storageTable(context, logical);
  return [
    `CREATE TABLE IF NOT EXISTS ${table}${onClusterClause(target)}`,
    `AS ${target.database}.${local}`,
    `ENGINE = ${distributedEngine(target, local, key.join(' '))}`,
  ].join('\n');
}

function argumentsOf(text: string | undefined): string[] {
  const trimmed = text?.trim() ?? '';
  return trimmed === '' ? [] : trimmed.split(/\s+/);
}

function expectArgs(name: string, args: readonly string[], count: number): void {
  if (args.length !== count) {
    throw new SchemaRenderError(`{{${name}}} takes ${count} argument(s), got "${args.join(' ')}"`);
  }
}
