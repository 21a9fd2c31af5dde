import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EVENT_COLUMNS } from '../../../src/serialise/event-columns.ts';
import { rowLine } from '../../../src/serialise/row-line.ts';
import { eventRow } from '../../fixtures/schema/known-events.ts';

test('a row line is one JSON array in EVENT_COLUMNS order, properties embedded as its exact text', () => {
  const properties = '{"b": 1,  "a":[1,2 ,{"z":"\\u00e9\\n"}], "k":"é \\"q\\""}';
  const row = {
    ...eventRow({ team_id: 7, distinct_id: 'd "quoted"\n', event: '$pageview', at: new Date(0) }),
    properties,
    cost_usd: '0.00012345',
    _offset: '18446744073709551615',
  };
  const line = rowLine(row);
  assert.ok(line.endsWith(']\n'));
  assert.equal(line.indexOf('\n'), line.length - 1, 'one line: newlines inside values are escaped');
  assert.ok(line.includes(`,${properties},`), 'the arriving text, not re-serialised');
  const values = JSON.parse(line) as unknown[];
  assert.equal(values.length, EVENT_COLUMNS.length);
  for (const [i, column] of EVENT_COLUMNS.entries()) {
    const expected: unknown = column === 'properties' ? JSON.parse(properties) : row[column];
    assert.deepEqual(values[i], expected, column);
  }
});
