import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  sampleProcess,
  statCpuSeconds,
  statusKiB,
} from '../../../../test/bench/measure/proc-stats.ts';

describe('/proc parsing', () => {
  test('VmRSS and VmHWM from /proc/<pid>/status', () => {
    const status = 'Name:\tnode\nVmHWM:\t  524288 kB\nVmRSS:\t  262144 kB\n';
    assert.equal(statusKiB(status, 'VmHWM'), 524_288);
    assert.equal(statusKiB(status, 'VmRSS'), 262_144);
    assert.equal(statusKiB(status, 'VmSwap'), 0);
  });

  test('utime + stime, even when the command name holds spaces and parentheses', () => {
    const fields = ['S', ...Array.from({ length: 10 }, () => '0'), '250', '50', '0', '0'];
    assert.equal(statCpuSeconds(`1234 (node (worker) x) ${fields.join(' ')}`), 3);
  });

  test('this very process: plausible figures; a missing pid gives none', () => {
    const own = sampleProcess(process.pid);
    assert.ok(own !== undefined);
    assert.ok(own.rssKiB > 10_000 && own.peakRssKiB >= own.rssKiB);
    assert.ok(own.cpuSeconds >= 0);
    assert.equal(sampleProcess(2 ** 30), undefined);
  });
});
