import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadConfig } from '../../src/config/load-config.ts';
import { MEMORY_BUDGET, NODE_FLAGS } from '../demo/worker-env.ts';
import { at, readYaml, readYamlDocuments, repoRoot } from './deploy-helpers.ts';

// docker/memory-budget.json is the one place a worker's memory is decided: the heap flags
// (image, compose, manifests and every worker the tests start), the container request and
// limit, and the memory alert's threshold. This file checks each copy against it, and the
// sizing against the peak RSS the bench measured (BENCHMARKS.md).
const budget = MEMORY_BUDGET;
const benchmarks = readFileSync(join(repoRoot, 'BENCHMARKS.md'), 'utf8');

/**
 * The peak RSS of the latest bench run: the generated target row "peak RSS ≤ … | N MiB
 * (drains max …, outage …)" between the bench markers (max of the 1-process drains and the
 * ClickHouse-outage run, default settings).
 */
function measuredPeakMiB(markdown: string): number {
  const generated = /<!-- bench:begin -->([\s\S]*?)<!-- bench:end -->/.exec(markdown)?.[1] ?? '';
  const row = generated.split('\n').find((line) => /^\|\s*peak RSS ≤/.test(line));
  assert.ok(row !== undefined, 'BENCHMARKS.md: no peak RSS target row in the generated section');
  const mib = /\|\s*([\d,]+) MiB \(drains max/.exec(row)?.[1];
  assert.ok(mib !== undefined, `BENCHMARKS.md: no measured peak in ${row}`);
  return Number(mib.replaceAll(',', ''));
}

/** "768Mi" / "1Gi" → MiB. */
function mebibytes(quantity: unknown): number {
  const m = /^(\d+)(Mi|Gi)$/.exec(String(quantity));
  assert.ok(m !== null, `memory quantity ${String(quantity)} (expected Mi or Gi)`);
  return Number(m[1]) * (m[2] === 'Gi' ? 1024 : 1);
}

/** Compose's byte values: "768m" / "1g" → MiB. */
function composeMebibytes(value: unknown): number {
  const m = /^(\d+)(m|g)$/.exec(String(value));
  assert.ok(m !== null, `compose memory ${String(value)} (expected m or g)`);
  return Number(m[1]) * (m[2] === 'g' ? 1024 : 1);
}

describe('memory budget (docker/memory-budget.json)', () => {
  const peak = measuredPeakMiB(benchmarks);

  test('BENCHMARKS.md quotes a measured peak, and the parser reads the generated row', () => {
    assert.ok(peak > 200 && peak < 4096, `${peak} MiB`);
    const sample = [
      '<!-- bench:begin -->',
      '| peak RSS ≤ 512 MiB with default settings, including a ClickHouse outage | 1,690 MiB (drains max 690, outage 1690) | NOT met |',
      '<!-- bench:end -->',
    ].join('\n');
    assert.equal(measuredPeakMiB(sample), 1690);
    assert.throws(() => measuredPeakMiB('no markers'), /no peak RSS target row/);
  });

  test('the request covers the measured peak with headroom; the alert fires only above the request', () => {
    const needed = Math.ceil(peak * (1 + budget.headroomOverPeak));
    assert.ok(
      budget.requestMiB >= needed,
      `requestMiB ${budget.requestMiB} < measured peak ${peak} MiB + ${budget.headroomOverPeak * 100} %`,
    );
    // Sized from the peak, not padded: within one 64 MiB step of what the peak needs.
    assert.ok(budget.requestMiB < needed + 64, `requestMiB ${budget.requestMiB} ≫ ${needed}`);
    const alertAt = budget.limitMiB * budget.alertFractionOfLimit;
    assert.ok(
      alertAt >= budget.requestMiB,
      `HanzoIngestMemoryNearLimit would fire at ${alertAt} MiB, inside the request ${budget.requestMiB} MiB: normal operation would page`,
    );
    assert.ok(budget.limitMiB > budget.requestMiB);
  });

  test('the limit holds idle memory, both heap caps, the buffer budget and a fetch', () => {
    // Idle ~250 MiB (the DB-IP databases' 130 MiB, pricing data, Node and the code), the old
    // generation, the young generation (3 semi-spaces), INGEST_MAX_BUFFERED_BYTES and one
    // fetch, at their defaults: an upper bound the bench's peak stays under.
    const defaults = loadConfig({ env: { KAFKA_BROKERS: 'kafka:9092' } });
    const mib = (bytes: number): number => bytes / 2 ** 20;
    const sum =
      250 +
      budget.heapMaxMiB +
      3 * budget.semiSpaceMaxMiB +
      mib(defaults.maxBufferedBytes) +
      mib(defaults.kafka.fetchMaxBytes);
    assert.ok(budget.limitMiB >= sum, `limitMiB ${budget.limitMiB} < ${sum}`);
  });

  test('node starts every worker with the budget\u2019s heap caps (NODE_FLAGS: image, tests, bench)', () => {
    assert.ok(NODE_FLAGS.includes(`--max-old-space-size=${budget.heapMaxMiB}`));
    assert.ok(NODE_FLAGS.includes(`--max-semi-space-size=${budget.semiSpaceMaxMiB}`));
    // The image's ENTRYPOINT equals NODE_FLAGS: deploy-dockerfile.test.ts.
  });

  test('the Deployment requests and limits what the budget says', () => {
    const deployment = readYamlDocuments(join(repoRoot, 'docker/k8s/base/deployment.yaml'))[0];
    const worker = at(deployment, 'spec.template.spec.containers.0');
    assert.equal(mebibytes(at(worker, 'resources.requests.memory')), budget.requestMiB);
    assert.equal(mebibytes(at(worker, 'resources.limits.memory')), budget.limitMiB);
  });

  test('compose reserves and limits what the budget says, for every worker service', () => {
    for (const file of ['compose.yml', 'compose.cluster.yml']) {
      const services = readYaml(join(repoRoot, file))['services'] as Record<string, unknown>;
      const resources = at(services['worker'], 'deploy.resources');
      assert.equal(composeMebibytes(at(resources, 'limits.memory')), budget.limitMiB, file);
      assert.equal(composeMebibytes(at(resources, 'reservations.memory')), budget.requestMiB, file);
    }
  });

  test('HanzoIngestMemoryNearLimit fires at the budget\u2019s fraction of the limit', () => {
    const groups = readYaml(join(repoRoot, 'docker/prometheus/alerts.yml'))['groups'] as {
      rules: { alert?: string; expr: string }[];
    }[];
    const rule = groups
      .flatMap((g) => g.rules)
      .find((r) => r.alert === 'HanzoIngestMemoryNearLimit');
    assert.ok(rule !== undefined);
    const threshold = /hanzo_ingest_memory_limit_bytes\s*>\s*([\d.]+)\s*$/.exec(rule.expr.trim());
    assert.ok(threshold !== null, rule.expr);
    assert.equal(Number(threshold[1]), budget.alertFractionOfLimit);
  });
});
