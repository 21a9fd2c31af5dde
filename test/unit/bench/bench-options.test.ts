import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BenchUsageError, parseBenchOptions } from '../../../test/bench/bench-options.ts';

describe('parseBenchOptions', () => {
  test('defaults: a million events, three repetitions, every phase', () => {
    const o = parseBenchOptions([], {});
    assert.equal(o.events, 1_000_000);
    assert.equal(o.repeat, 3);
    assert.equal(o.partitions, 6);
    assert.equal(o.skip.size, 0);
    assert.equal(o.latencySeconds, 30);
    assert.equal(o.jsonFile, undefined);
  });

  test('--quick is small; explicit flags win over it and over the environment', () => {
    const quick = parseBenchOptions(['--quick'], {});
    assert.equal(quick.events, 100_000);
    assert.equal(quick.repeat, 2);
    assert.equal(parseBenchOptions(['--quick', '--events', '5_000'], {}).events, 5_000);
    assert.equal(parseBenchOptions([], { BENCH_EVENTS: '2000', BENCH_REPEAT: '5' }).repeat, 5);
    assert.equal(parseBenchOptions(['--events', '300'], { BENCH_EVENTS: '2000' }).events, 300);
  });

  test('--only is the complement of --skip; unknown phases and bad numbers are refused', () => {
    const only = parseBenchOptions(['--only', 'worker,latency'], {});
    assert.ok(!only.skip.has('worker') && !only.skip.has('latency'));
    assert.ok(only.skip.has('native') && only.skip.has('consume'));
    assert.deepEqual([...parseBenchOptions(['--skip', 'native'], {}).skip], ['native']);
    assert.throws(() => parseBenchOptions(['--skip', 'nativ'], {}), BenchUsageError);
    assert.throws(() => parseBenchOptions(['--events', '0'], {}), BenchUsageError);
    assert.throws(() => parseBenchOptions(['--repeat', '1.5'], {}), BenchUsageError);
    assert.throws(() => parseBenchOptions(['--skip', 'a', '--only', 'b'], {}), BenchUsageError);
  });

  test('--worker-env collects KEY=VALUE settings (values may contain =)', () => {
    const o = parseBenchOptions(
      ['--worker-env', 'BATCH_MAX_ROWS=100000', '--worker-env', 'X=a=b'],
      {},
    );
    assert.deepEqual(o.workerEnv, { BATCH_MAX_ROWS: '100000', X: 'a=b' });
    assert.throws(() => parseBenchOptions(['--worker-env', 'novalue'], {}), BenchUsageError);
  });
});
