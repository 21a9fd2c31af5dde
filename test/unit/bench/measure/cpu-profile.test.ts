import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  frameName,
  parseCpuProfile,
  sampledTime,
  topSelfTime,
  topSelfTimeByFile,
} from '../../../../test/bench/measure/cpu-profile.ts';

const frame = (functionName: string, url: string, lineNumber = 0) => ({
  functionName,
  url,
  lineNumber,
  columnNumber: 0,
});

// root(1) → decode(2) → JSON.parse-ish(3); gc(4). Sample i lasts timeDeltas[i + 1].
const profile = {
  nodes: [
    { id: 1, callFrame: frame('(root)', '') },
    { id: 2, callFrame: frame('decode', 'file:///work/main/src/decode/decode-message.ts', 41) },
    {
      id: 3,
      callFrame: frame('', 'file:///work/main/node_modules/kafkajs/src/protocol/decoder.js', 9),
    },
    { id: 4, callFrame: frame('(garbage collector)', '') },
    { id: 5, callFrame: frame('(idle)', '') },
  ],
  samples: [2, 2, 3, 4, 2, 5, 1],
  timeDeltas: [0, 1000, 3000, 500, 500, 2000, 9000],
};

describe('cpu profile self time', () => {
  test('sums the time until the next sample per function, highest first', () => {
    const top = topSelfTime([parseCpuProfile(JSON.stringify(profile))]);
    assert.deepEqual(
      top.map((t) => [t.name, t.selfMs]),
      [
        ['(anonymous) kafkajs/src/protocol/decoder.js:10', 0.5],
        ['decode src/decode/decode-message.ts:42', 6],
        ['(garbage collector)', 0.5],
      ].sort((a, b) => (b[1] as number) - (a[1] as number)),
    );
    assert.equal(top[0]!.percent, 85.7, 'a share of the busy time: idle is not CPU');
    assert.deepEqual(sampledTime([parseCpuProfile(JSON.stringify(profile))]), {
      idleMs: 9,
      totalMs: 16,
    });
  });

  test('merges profiles and groups by package', () => {
    const p = parseCpuProfile(JSON.stringify(profile));
    const byFile = topSelfTimeByFile([p, p]);
    assert.deepEqual(
      byFile.map((t) => [t.name, t.selfMs]),
      [
        ['src/decode/decode-message.ts', 12],
        ['kafkajs', 1],
        ['(garbage collector)', 1],
      ],
    );
  });

  test('names: scoped packages and repo paths are shortened, pseudo-frames kept', () => {
    assert.equal(
      frameName(frame('insert', 'file:///x/node_modules/@clickhouse/client/dist/a.js', 4)),
      'insert @clickhouse/client/dist/a.js:5',
    );
    assert.equal(frameName(frame('(program)', '')), '(program)');
    assert.throws(() => parseCpuProfile('{"nodes": []}'), /not a V8 CPU profile/);
  });
});
