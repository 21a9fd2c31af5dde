import type { HttpSession } from './http-sessions.ts';
import type { ExecutionPlan } from './plan-request.ts';
import {
  queryParamsStatement,
  quoteString,
  restoreStatement,
  setStatement,
  useStatement,
} from './sql-text.ts';

/** The part of a chDB Session the scope needs. */
export interface ScopeEngine {
  queryAsync(sql: string, options: { format: string }): Promise<{ text(): string }>;
  queryBindAsync(sql: string, params: object, options: { format: string }): Promise<unknown>;
}

/**
 * One request's footprint on the shared chDB session. A chDB session keeps
 * whatever SET / USE / SET param_ does, so each request's database, settings
 * and query parameters are applied on enter() and undone on leave(): nothing
 * leaks into the next request. An HTTP session's own SET / USE state is
 * replayed on enter() and updated after a SET or USE statement.
 */
export class RequestScope {
  readonly #engine: ScopeEngine;
  /** Settings chDB had already changed at start-up: name → value. */
  readonly #baseline: ReadonlyMap<string, string>;
  readonly #plan: ExecutionPlan;
  readonly #session: HttpSession | undefined;
  readonly #applied = new Set<string>();
  #databaseChanged = false;
  #paramsSet = false;
  #beforeSet: Map<string, string> | undefined;

  constructor(
    engine: ScopeEngine,
    baseline: ReadonlyMap<string, string>,
    plan: ExecutionPlan,
    session: HttpSession | undefined,
  ) {
    this.#engine = engine;
    this.#baseline = baseline;
    this.#plan = plan;
    this.#session = session;
  }

  async enter(): Promise<void> {
    const database = this.#plan.database ?? this.#session?.database;
    if (database !== undefined && database !== 'default') {
      this.#databaseChanged = true;
      await this.#exec(useStatement(database));
    }
    // One SET each, so a rejected (unknown) setting leaves only known ones to restore.
    for (const [name, literal] of new Map([
      ...(this.#session?.settings ?? []),
      ...this.#plan.settings,
    ])) {
      await this.#exec(setStatement(name, literal));
      this.#applied.add(name);
    }
    const params = queryParamsStatement(this.#plan.queryParams);
    this.#paramsSet = params !== undefined || this.#plan.keyword === 'SET';
    if (params !== undefined) await this.#exec(params);
    if (this.#plan.keyword === 'SET' && this.#session !== undefined) {
      this.#beforeSet = await changedSettings(this.#engine);
    }
  }

  /** Records what a SET or USE statement did to an HTTP session. */
  async afterStatement(): Promise<void> {
    const session = this.#session;
    if (this.#plan.keyword === 'USE') {
      this.#databaseChanged = true;
      if (session !== undefined) session.database = await this.#currentDatabase();
    }
    if (session === undefined || this.#beforeSet === undefined) return;
    const after = await changedSettings(this.#engine);
    for (const [name, value] of after) {
      if (this.#beforeSet.get(name) !== value) session.settings.set(name, quoteString(value));
    }
    for (const name of this.#beforeSet.keys()) if (!after.has(name)) session.settings.delete(name);
  }

  /** Undoes enter() and the statement; throws only if even a full reset failed. */
  async leave(): Promise<void> {
    try {
      const names = new Set(this.#applied);
      // A SET statement may have changed anything.
      if (this.#plan.keyword === 'SET') for (const name of await this.#drifted()) names.add(name);
      await this.#restore(names);
      if (this.#paramsSet) await this.#clearQueryParams();
      if (this.#databaseChanged) await this.#exec('USE default');
    } catch {
      await this.#restore(await this.#drifted());
      await this.#clearQueryParams();
      await this.#exec('USE default');
    }
  }

  async #restore(names: Iterable<string>): Promise<void> {
    const restore = restoreStatement(names, this.#baseline);
    if (restore !== undefined) await this.#exec(restore);
  }

  /** Settings whose value is no longer the start-up one. */
  async #drifted(): Promise<string[]> {
    const now = await changedSettings(this.#engine);
    const names = [...now]
      .filter(([name, value]) => this.#baseline.get(name) !== value)
      .map(([name]) => name);
    for (const name of this.#baseline.keys()) if (!now.has(name)) names.push(name);
    return names;
  }

  /** A parameterised call replaces the session's parameter map, dropping what SET param_ left. */
  async #clearQueryParams(): Promise<void> {
    await this.#engine.queryBindAsync('SELECT 1', { clear: 0 }, { format: 'TabSeparated' });
  }

  async #currentDatabase(): Promise<string> {
    const result = await this.#engine.queryAsync('SELECT currentDatabase()', {
      format: 'TabSeparated',
    });
    return result.text().trim();
  }

  async #exec(sql: string): Promise<void> {
    await this.#engine.queryAsync(sql, { format: 'TabSeparated' });
  }
}

/** system.settings rows marked changed: name → value. */
export async function changedSettings(engine: ScopeEngine): Promise<Map<string, string>> {
  const result = await engine.queryAsync('SELECT name, value FROM system.settings WHERE changed', {
    format: 'JSONCompactEachRow',
  });
  const settings = new Map<string, string>();
  for (const line of result.text().split('\n')) {
    if (line === '') continue;
    const [name, value] = JSON.parse(line) as [string, string];
    settings.set(name, value);
  }
  return settings;
}
