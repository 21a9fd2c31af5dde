import { IngestError } from '../errors.ts';

/**
 * Where and how the HIP-47 schema is rendered. One source (schemas/migrations/*.sql) gives
 * every statement in both renderings:
 * - unclustered (no `cluster`): a single node, plain MergeTree-family engines, an explicit
 *   `non_replicated_deduplication_window` so retried inserts are recognised;
 * - clustered (`cluster` set): `ON CLUSTER '<cluster>'` on every statement,
 *   `Replicated*MergeTree('/clickhouse/tables/{shard}/{database}/<table>', '{replica}')`,
 *   and with `distributed`, a `Distributed` table in front of each sharded table.
 */
export interface SchemaTarget {
  /** Database holding every table (created by the migrator if missing). */
  readonly database: string;
  /**
   * Name of the events table (HIP-47: `events`). The other tables take their names from it
   * (`<events>_hourly`, `<events>_sessions`, …) unless it is `events`, where they keep
   * HIP-47's names; so several independent schemas can share one database (tests do).
   */
  readonly eventsTable?: string;
  /** Cluster name for `ON CLUSTER` and `Distributed` (`{cluster}` = the server's macro). Empty: unclustered. */
  readonly cluster?: string;
  /** Put `Distributed` tables (the HIP-47 names) in front of sharded `<name>_local` tables. */
  readonly distributed?: boolean;
  /** Inserts remembered per table for token deduplication (retried inserts). */
  readonly deduplicationWindow?: number;
}

/** A target with defaults applied and validated. */
export interface ResolvedTarget {
  readonly database: string;
  readonly eventsTable: string;
  readonly cluster: string | undefined;
  readonly distributed: boolean;
  readonly deduplicationWindow: number;
}

export const DEFAULT_EVENTS_TABLE = 'events';
export const DEFAULT_DEDUPLICATION_WINDOW = 1000;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** A cluster name or a macro such as `{cluster}`: nothing that could close the quotes. */
const CLUSTER = /^[A-Za-z0-9_.{}-]+$/;

/** The target (or a template) asks for something that cannot be rendered. */
export class SchemaRenderError extends IngestError {
  constructor(message: string) {
    super(message, { retriable: false });
  }
}

export function resolveTarget(target: SchemaTarget): ResolvedTarget {
  const cluster =
    target.cluster === undefined || target.cluster === '' ? undefined : target.cluster;
  const resolved: ResolvedTarget = {
    database: target.database,
    eventsTable: target.eventsTable ?? DEFAULT_EVENTS_TABLE,
    cluster,
    distributed: target.distributed ?? false,
    deduplicationWindow: target.deduplicationWindow ?? DEFAULT_DEDUPLICATION_WINDOW,
  };
  assertIdentifier('database', resolved.database);
  assertIdentifier('eventsTable', resolved.eventsTable);
  if (cluster !== undefined && !CLUSTER.test(cluster)) {
    throw new SchemaRenderError(`cluster: "${cluster}" is not a cluster name or macro`);
  }
  if (resolved.distributed && cluster === undefined) {
    throw new SchemaRenderError('distributed: Distributed tables need a cluster');
  }
  if (!Number.isInteger(resolved.deduplicationWindow) || resolved.deduplicationWindow < 1) {
    throw new SchemaRenderError('deduplicationWindow: must be a positive whole number');
  }
  return resolved;
}

export function assertIdentifier(what: string, name: string): void {
  if (!IDENTIFIER.test(name)) {
    throw new SchemaRenderError(`${what}: "${name}" is not a plain SQL identifier`);
  }
}

/**
 * The name a schema object gets for this target's events table: HIP-47's own names for
 * `events`, else the events table's name in place of the `events` prefix
 * (`events_hourly` → `t_hourly`) or in front (`sessions` → `t_sessions`).
 */
export function instanceName(target: ResolvedTarget, logical: string): string {
  assertIdentifier('table', logical);
  const events = target.eventsTable;
  if (events === DEFAULT_EVENTS_TABLE) return logical;
  if (logical === DEFAULT_EVENTS_TABLE) return events;
  if (logical.startsWith(`${DEFAULT_EVENTS_TABLE}_`)) {
    return events + logical.slice(DEFAULT_EVENTS_TABLE.length);
  }
  return `${events}_${logical}`;
}
