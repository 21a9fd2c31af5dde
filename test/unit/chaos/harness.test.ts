import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseToken } from '../../chaos/harness/insert-log.ts';
import type { Measurement } from '../../chaos/harness/measure.ts';
import { gaugeValue } from '../../chaos/harness/metrics-scrape.ts';
import { parseStatusKiB } from '../../chaos/harness/proc-status.ts';
import { formatTable } from '../../chaos/harness/report-table.ts';
import { chaosUuid, TaggedEventSource } from '../../chaos/harness/tagged-events.ts';
import { judge, reportOf } from '../../chaos/harness/verdict.ts';
import { parseRequestLine } from '../../support/tcp-proxy.ts';

const clean: Measurement = {
  produced: 100,
  acked: 100,
  landed: 95,
  unique: 95,
  deadLetters: 5,
  deadLetterRepeats: 0,
  lost: 0,
  duplicates: 0,
  offsetDuplicates: 0,
  landedAndDeadLettered: 0,
  missingSample: [],
  committedAtLogEnd: true,
  lag: 0,
  rollups: [],
};
const outcome = (m: Partial<Measurement>, more: Partial<Parameters<typeof judge>[0]> = {}) => ({
  measurement: { ...clean, ...m },
  peakRssMiB: 300,
  checks: [],
  unexpectedExits: [],
  notes: [],
  ...more,
});

describe('chaos verdict', () => {
  test('passes only with nothing lost or duplicated, offsets at the log end and every check ok', () => {
    assert.deepEqual(judge(outcome({})), { verdict: 'pass', failures: [] });
    assert.equal(judge(outcome({ lost: 1, missingSample: ['3:17'] })).verdict, 'fail');
    assert.equal(judge(outcome({ duplicates: 2 })).verdict, 'fail');
    assert.equal(judge(outcome({ offsetDuplicates: 1 })).verdict, 'fail');
    assert.equal(judge(outcome({ landedAndDeadLettered: 1 })).verdict, 'fail');
    assert.equal(judge(outcome({ committedAtLogEnd: false, lag: 9 })).verdict, 'fail');
    assert.equal(judge(outcome({}, { unexpectedExits: ['w1 exit 1'] })).verdict, 'fail');
    assert.equal(judge(outcome({}, { checks: [{ name: 'x', ok: false }] })).verdict, 'fail');
    const rollup = {
      rollup: 'sessions',
      measure: 'event_count',
      total: 11,
      fromEvents: 10,
      fromUniqueEvents: 10,
      duplicated: 1,
      ok: false,
      detail: 'event_count: 11 in the rollup',
    };
    assert.match(judge(outcome({ rollups: [rollup] })).failures[0] ?? '', /rollup sessions/);
  });

  test('the table shows one row per scenario with its counts and verdict', () => {
    const table = formatTable([reportOf({ name: 'baseline', fault: 'none' }, outcome({}), 12.4)]);
    const [header, , row] = table.split('\n');
    assert.match(header ?? '', /scenario .*produced .*landed .*DLQ .*lost .*duplicated .*verdict/);
    assert.match(
      row ?? '',
      /\| baseline +\| none +\| 100 +\| 95 +\| 5 +\| 0 +\| 0 +\| +\| 300 +\| 12 +\| PASS +\|/,
    );
  });
});

describe('chaos harness parsing', () => {
  test('deduplication tokens name a partition and an offset range (split halves too)', () => {
    assert.deepEqual(parseToken('chaos_t_1:7:100-199'), { partition: 7, first: 100, last: 199 });
    assert.deepEqual(parseToken('a:b:3:10-19/10-14'), { partition: 3, first: 10, last: 19 });
    assert.equal(parseToken('nonsense'), undefined);
  });

  test('HTTP request lines: method, path and decoded query; bodies are not requests', () => {
    const request = parseRequestLine(
      Buffer.from(
        'POST /?query=INSERT+INTO+t+FORMAT+JSONEachRow&insert_deduplication_token=t%3A1%3A0-9 HTTP/1.1\r\nHost: x\r\n\r\n',
      ),
      5,
    );
    assert.equal(request?.method, 'POST');
    assert.equal(request?.params.get('query'), 'INSERT INTO t FORMAT JSONEachRow');
    assert.equal(request?.params.get('insert_deduplication_token'), 't:1:0-9');
    assert.equal(parseRequestLine(Buffer.from('{"uuid":"x"}\n')), undefined);
    assert.equal(parseRequestLine(Buffer.from('POST / HTTP/1.1')), undefined, 'no line end yet');
  });

  test('gauges from Prometheus text, memory from /proc status', () => {
    const text = '# HELP g x\n# TYPE g gauge\ng{worker="w"} 1234.5\nh 2\n';
    assert.equal(gaugeValue(text, 'g'), 1234.5);
    assert.equal(gaugeValue(text, 'h'), 2);
    assert.equal(gaugeValue(text, 'missing'), undefined);
    assert.equal(parseStatusKiB('VmHWM:\t  523412 kB\nVmRSS:\t  400000 kB\n', 'VmHWM'), 523412);
  });

  test('tagged events: uuid per (producer, seq), tags in properties, round-robin partitions', () => {
    const source = new TaggedEventSource('p1', 3, 1);
    const messages = source.nextMessages(4);
    assert.deepEqual(
      messages.map((m) => m.partition),
      [0, 1, 2, 0],
    );
    const event = JSON.parse(String(messages[1]?.value)) as {
      uuid: string;
      properties: Record<string, unknown>;
    };
    assert.equal(event.uuid, chaosUuid('p1', 1));
    assert.equal(event.properties['$chaos_producer'], 'p1');
    assert.equal(event.properties['$chaos_seq'], 1);
    assert.notEqual(chaosUuid('p1', 1), chaosUuid('p2', 1));
    assert.match(
      chaosUuid('p1', 1),
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});
