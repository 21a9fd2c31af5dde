import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { workerVariants } from '../../../../test/bench/run-bench.ts';
import {
  checkTargets,
  computeRatios,
  headlineLabel,
  type BenchResults,
} from '../../../../test/bench/report/bench-summary.ts';
import { median, toSeries, type Series } from '../../../../test/bench/report/series.ts';
import { reportRows } from '../../../../test/bench/report/report-rows.ts';
import {
  renderMarkdown,
  renderText,
  replaceBetweenMarkers,
} from '../../../../test/bench/report/render-report.ts';

/** A measured series with only the fields the summary reads. */
const rate = (eventsPerSecond: number, extra: Record<string, number> = {}): Series<never> =>
  toSeries([{ eventsPerSecond, ...extra }]) as unknown as Series<never>;

describe('series', () => {
  test('median of odd and even counts; only numeric fields get one', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 2, 3]), 2.5);
    const s = toSeries([
      { eventsPerSecond: 10, basis: 'steady' },
      { eventsPerSecond: 30, basis: 'full' },
      { eventsPerSecond: 20, basis: 'steady' },
    ]);
    assert.deepEqual(s.median, { eventsPerSecond: 20 });
  });
});

describe('ratios and targets', () => {
  const variants = workerVariants({ on: { E: 'true' }, off: { E: 'false' } }, new Set());
  test('variants: 1 process with enrichment off and on, 2 with it on; as configured without a switch', () => {
    assert.deepEqual(
      variants.map((v) => v.label),
      ['w1_off', 'w1_on', 'w2_on'],
    );
    assert.equal(headlineLabel(variants), 'w1_on');
    const plain = workerVariants(undefined, new Set(['worker-2']));
    assert.deepEqual(plain, [{ label: 'w1', workers: 1, enrichment: 'as configured' }]);
  });

  const results: BenchResults = {
    consume: rate(200_000, { clientCpuSecondsPerMillion: 10 }),
    kafkaTool: rate(800_000),
    insert: rate(150_000, { clickhouseCpuSecondsPerMillion: 36 }),
    native: { unavailable: 'not available: no Kafka engine here' },
    workers: {
      w1_off: rate(140_000, { peakRssMiB: 300 }),
      w1_on: rate(126_000, {
        peakRssMiB: 420,
        cpuSecondsPerMillion: 30,
        clickhouseCpuSecondsPerMillion: 40,
      }),
      w2_on: rate(170_000, { peakRssMiB: 260 }),
    },
    latency: {
      targetRate: 63_000,
      achievedRate: 62_900,
      produced: 1,
      measured: 1,
      seconds: 30,
      warmupSeconds: 3,
      pollIntervalMs: 100,
      flushAgeMs: 5000,
      p50Ms: 2600,
      p95Ms: 5100,
      p99Ms: 6200,
      maxMs: 7000,
      peakRssMiB: 400,
    },
    outage: {
      events: 1,
      outageSeconds: 20,
      landedBeforeOutage: 1,
      peakRssDuringOutageMiB: 500,
      peakRssMiB: 530,
      recoverySeconds: 9,
      duplicates: 0,
    },
  };

  test('ratios use the 1-worker headline (enrichment on) and the lower limit', () => {
    const r = computeRatios(results, variants);
    assert.equal(r.workerOverLimit, 0.84); // 126k / min(200k, 150k)
    assert.equal(r.workerWithoutEnrichmentOverLimit, 0.93);
    assert.equal(r.enrichmentOnOverOff, 0.9);
    assert.equal(r.twoWorkersOverOne, 1.35); // w2_on / w1_on
    assert.equal(r.kafkajsOverKafkaTool, 0.25);
    assert.equal(r.workerOverNative, undefined);
    assert.equal(r.workerCpuOverConsumeCpu, 3); // 30 µs / 10 µs
  });

  test('targets: met, not met, not measured — with the numbers behind them', () => {
    const checks = checkTargets(results, variants, computeRatios(results, variants));
    assert.deepEqual(
      checks.map((c) => c.met),
      [false, undefined, false, false, true, true, false, false],
    );
    assert.match(checks[0]!.measured, /126,000 events\/s \(0\.84× target\)/);
    assert.match(checks[1]!.measured, /no Kafka engine here/);
    assert.match(checks[2]!.measured, /30 µs per event/);
    assert.match(checks[3]!.measured, /3× \(consumer alone 10 µs\)/);
    assert.match(checks[4]!.measured, /1\.11× \(40 vs 36 µs per event\)/);
    assert.match(checks[6]!.measured, /p99 6,200 ms vs 6,000 ms/);
    assert.match(checks[7]!.measured, /530 MiB/);
  });

  test('the table shows every measurement, and the Markdown fits between the markers', () => {
    const ratios = computeRatios(results, variants);
    const targets = checkTargets(results, variants, ratios);
    const rows = reportRows(results, variants);
    assert.deepEqual(
      rows.map((r) => r.rate),
      ['200,000', '800,000', '150,000', '140,000', '126,000', '170,000', '', '62,900', ''],
    );
    assert.deepEqual(
      [rows[0]?.cost, rows[4]?.cost],
      ['10.0 (1.0×)', '30.0 (3.0×)'],
      "the worker's µs per event beside the consumer's",
    );
    const text = renderText(rows, ratios, targets);
    assert.match(
      text,
      /native Kafka engine \(mode: kafka-engine\)\s+not available: no Kafka engine here/,
    );
    assert.match(text, /\[NOT met\] worker with full enrichment/);
    const md = renderMarkdown(rows, ratios, targets);
    const doc = replaceBetweenMarkers(
      '# B\n<!-- bench:begin -->\nold\n<!-- bench:end -->\ntail\n',
      md,
    );
    assert.ok(doc.startsWith('# B\n<!-- bench:begin -->\n| measurement |'));
    assert.ok(doc.endsWith('<!-- bench:end -->\ntail\n') && !doc.includes('old'));
    assert.throws(() => replaceBetweenMarkers('no markers', md), /markers/);
  });
});
