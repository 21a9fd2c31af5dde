import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseConsumerPerformance } from '../../../../test/bench/measure/consume-kafka-tool.ts';

describe('parseConsumerPerformance', () => {
  test('reads the figures under the header, whatever surrounds them', () => {
    const output = [
      'WARNING: something from the JVM',
      'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec',
      '2026-11-21 15:24:20:116, 2026-11-21 15:24:22:390, 18.6651, 8.2081, 20000, 8795.0748, 1555, 719, 25.9598, 27816.4117',
      '',
    ].join('\n');
    const figures = parseConsumerPerformance(output);
    assert.equal(figures['data.consumed.in.nMsg'], 20_000);
    assert.equal(figures['fetch.nMsg.sec'], 27816.4117);
    assert.equal(figures['fetch.time.ms'], 719);
    assert.equal(figures['start.time'], undefined, 'dates are not numbers');
  });

  test('no header or no figures: an error, not zeros', () => {
    assert.throws(
      () => parseConsumerPerformance('Exception in thread "main"'),
      /no ConsumerPerformance header/,
    );
    assert.throws(
      () => parseConsumerPerformance('start.time, end.time, nMsg.sec\n'),
      /no ConsumerPerformance figures/,
    );
  });
});
