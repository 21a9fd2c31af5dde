import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { loadConfig } from '../../../src/config/load-config.ts';
import { ConfigError } from '../../../src/errors.ts';

// Database, table and cluster names from the configuration are the only configured text that
// SQL is built from (every value travels as insert data or a bound {name:Type} parameter, and
// string literals go through sqlString). Whatever an operator or attacker puts in them, a name
// the configuration accepts cannot leave its place in a statement.
const hostile = fc.string({
  unit: fc.constantFrom(
    ...'abcXYZ_019'.split(''),
    "'",
    '"',
    '`',
    ';',
    ' ',
    '\t',
    '\n',
    '\\',
    '.',
    '-',
    '(',
    ')',
    '{',
    '}',
    '/',
    '*',
    '#',
    '=',
  ),
  maxLength: 24,
});

function accepted(env: Record<string, string>): boolean {
  try {
    loadConfig({ env: { KAFKA_BROKERS: 'k:9092', ...env } });
    return true;
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return false;
  }
}

describe('configured names that reach SQL are validated as identifiers', () => {
  test('CLICKHOUSE_DATABASE and CLICKHOUSE_TABLE: plain identifiers only', () => {
    fc.assert(
      fc.property(
        hostile,
        fc.constantFrom('CLICKHOUSE_DATABASE', 'CLICKHOUSE_TABLE'),
        (name, setting) => {
          if (accepted({ [setting]: name })) assert.match(name, /^[A-Za-z_][A-Za-z0-9_]*$/);
        },
      ),
      { numRuns: 2_000 },
    );
    for (const bad of ['events; DROP TABLE events', 'events`', "ev'ents", 'db.events', '']) {
      assert.equal(accepted({ CLICKHOUSE_TABLE: bad }), false, bad);
    }
  });

  test("CLICKHOUSE_CLUSTER: nothing that closes the quotes of ON CLUSTER '…'", () => {
    fc.assert(
      fc.property(hostile, (name) => {
        if (accepted({ CLICKHOUSE_CLUSTER: name })) assert.match(name, /^[A-Za-z0-9_.{}-]*$/);
      }),
      { numRuns: 2_000 },
    );
    assert.equal(accepted({ CLICKHOUSE_CLUSTER: "x' ; DROP DATABASE hanzo; --" }), false);
    assert.equal(accepted({ CLICKHOUSE_CLUSTER: '{cluster}' }), true);
  });
});
