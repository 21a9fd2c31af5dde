import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { HttpSession } from '../../../stack/clickhouse/http-sessions.ts';
import type { ExecutionPlan } from '../../../stack/clickhouse/plan-request.ts';
import { RequestScope, type ScopeEngine } from '../../../stack/clickhouse/request-scope.ts';

/** Records statements; answers system.settings from a mutable map, like a chDB session would. */
class FakeEngine implements ScopeEngine {
  readonly statements: string[] = [];
  readonly changed = new Map<string, string>([['implicit_select', '1']]);
  /** Statements matching this fail, `failures` times. */
  failOn: RegExp | undefined;
  failures = Infinity;

  async queryAsync(sql: string): Promise<{ text(): string }> {
    this.statements.push(sql);
    if (this.failOn?.test(sql) === true && this.failures-- > 0) {
      throw new Error('Code: 115. DB::Exception: boom. (UNKNOWN_SETTING)');
    }
    for (const [, name = '', value = ''] of sql.matchAll(/(?:SET |, )(\w+) = ('[^']*'|\w+)/g)) {
      if (name.startsWith('param_')) continue;
      if (value === 'DEFAULT') this.changed.delete(name);
      else this.changed.set(name, value.replace(/'/g, ''));
    }
    const rows = sql.startsWith('SELECT name, value FROM system.settings')
      ? [...this.changed].map((row) => JSON.stringify(row)).join('\n')
      : sql === 'SELECT currentDatabase()'
        ? 'analytics\n'
        : '';
    return Promise.resolve({ text: () => rows });
  }

  async queryBindAsync(sql: string): Promise<unknown> {
    this.statements.push(`bind: ${sql}`);
    return Promise.resolve(undefined);
  }
}

function plan(overrides: Partial<ExecutionPlan> = {}): ExecutionPlan {
  return {
    statement: { kind: 'query', sql: 'SELECT 1' },
    keyword: 'SELECT',
    outputFormat: 'TabSeparated',
    settings: new Map(),
    queryParams: new Map(),
    database: undefined,
    ...overrides,
  };
}

const baseline = new Map([['implicit_select', '1']]);

void describe('RequestScope', () => {
  void test('applies database, settings and parameters, then undoes exactly those', async () => {
    const engine = new FakeEngine();
    const scope = new RequestScope(
      engine,
      baseline,
      plan({
        database: 'db',
        settings: new Map([
          ['async_insert', "'1'"],
          ['implicit_select', "'0'"],
        ]),
        queryParams: new Map([['x', 'v']]),
      }),
      undefined,
    );
    await scope.enter();
    await scope.afterStatement();
    await scope.leave();
    assert.deepEqual(engine.statements, [
      'USE `db`',
      "SET async_insert = '1'",
      "SET implicit_select = '0'",
      "SET param_x = 'v'",
      "SET async_insert = DEFAULT, implicit_select = '1'",
      'bind: SELECT 1',
      'USE default',
    ]);
  });

  void test('a plain request touches nothing', async () => {
    const engine = new FakeEngine();
    const scope = new RequestScope(engine, baseline, plan(), undefined);
    await scope.enter();
    await scope.leave();
    assert.deepEqual(engine.statements, []);
  });

  void test('a SET statement in an HTTP session is remembered for that session and undone now', async () => {
    const engine = new FakeEngine();
    const session: HttpSession = { id: 's', settings: new Map(), database: undefined };
    const scope = new RequestScope(engine, baseline, plan({ keyword: 'SET' }), session);
    await scope.enter();
    engine.changed.set('max_threads', '1'); // what the SET statement did
    await scope.afterStatement();
    await scope.leave();
    assert.deepEqual([...session.settings], [['max_threads', "'1'"]]);
    assert.ok(engine.statements.includes('SET max_threads = DEFAULT'));
    assert.ok(engine.statements.includes('bind: SELECT 1'));
  });

  void test('USE in an HTTP session is remembered, and the shared session goes back to default', async () => {
    const engine = new FakeEngine();
    const session: HttpSession = { id: 's', settings: new Map(), database: undefined };
    const scope = new RequestScope(engine, baseline, plan({ keyword: 'USE' }), session);
    await scope.enter();
    await scope.afterStatement();
    await scope.leave();
    assert.equal(session.database, 'analytics');
    assert.equal(engine.statements.at(-1), 'USE default');
  });

  void test('a rejected setting is not restored: it never applied', async () => {
    const engine = new FakeEngine();
    engine.failOn = /^SET bogus/;
    const settings = new Map([
      ['max_threads', "'1'"],
      ['bogus', "'1'"],
    ]);
    const scope = new RequestScope(engine, baseline, plan({ settings }), undefined);
    await assert.rejects(scope.enter(), /UNKNOWN_SETTING/);
    await scope.leave();
    assert.equal(engine.statements.at(-1), 'SET max_threads = DEFAULT');
    assert.deepEqual([...engine.changed], [['implicit_select', '1']]);
  });

  void test('a failed restore falls back to a full reset; if that fails too, leave() throws', async () => {
    const engine = new FakeEngine();
    const scope = new RequestScope(
      engine,
      baseline,
      plan({ settings: new Map([['max_threads', "'1'"]]) }),
      undefined,
    );
    await scope.enter();
    engine.failOn = /^SET max_threads = DEFAULT$/;
    engine.failures = 1;
    await scope.leave();
    assert.deepEqual(engine.statements.slice(-5), [
      'SET max_threads = DEFAULT',
      'SELECT name, value FROM system.settings WHERE changed',
      'SET max_threads = DEFAULT',
      'bind: SELECT 1',
      'USE default',
    ]);

    const stuck = new FakeEngine();
    const doomed = new RequestScope(
      stuck,
      baseline,
      plan({ settings: new Map([['max_threads', "'1'"]]) }),
      undefined,
    );
    await doomed.enter();
    stuck.failOn = /DEFAULT/;
    await assert.rejects(doomed.leave(), /boom/);
  });
});
