import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dataQueries } from '../../integration/observe/support/promql-data-check.ts';

// The rule the Prometheus integration test applies to alert expressions whose condition
// is false: every operand of a set operator, comparisons kept as 0/1, absent() unwrapped.
test('alert expressions become the queries that must return data', () => {
  assert.deepEqual(dataQueries('up{job="hanzo-ingest"} == 0'), [
    'up{job="hanzo-ingest"} == bool 0',
  ]);
  assert.deepEqual(dataQueries('absent(up{job="hanzo-ingest"} == 1)'), [
    'up{job="hanzo-ingest"} == bool 1',
  ]);
  assert.deepEqual(dataQueries('a:sum > 10000\nand deriv(a:sum[10m]) > 0'), [
    'a:sum > bool 10000',
    'deriv(a:sum[10m]) > bool 0',
  ]);
  assert.deepEqual(
    dataQueries(
      'lag > 0\nunless on (group, topic, partition)\nmax by (group, topic, partition) (changes(c[10m])) > 0',
    ),
    ['lag > bool 0', 'max by (group, topic, partition) (changes(c[10m])) > bool 0'],
  );
  // Operators inside label matchers, strings and parentheses are left alone.
  assert.deepEqual(dataQueries('sum(rate(x{a=~"p|q", b!="and"}[5m])) >= bool 1'), [
    'sum(rate(x{a=~"p|q", b!="and"}[5m])) >= bool 1',
  ]);
  assert.deepEqual(dataQueries('count(up == 1 and on (job) up > 0)'), [
    'count(up == bool 1 and on (job) up > bool 0)',
  ]);
});
