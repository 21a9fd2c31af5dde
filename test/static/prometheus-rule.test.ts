import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { at, isRecord, readYaml, readYamlDocuments, repoRoot } from './deploy-helpers.ts';
import {
  ALERTS_FILE,
  PROMETHEUS_RULE_FILE,
  RUNBOOK_BASE_URL,
  renderPrometheusRule,
  runbookUrl,
} from './prometheus-rule.ts';

// The alert rules as both Prometheus setups load them: compose's Prometheus reads alerts.yml,
// the Prometheus Operator a PrometheusRule generated from it. Both must scrape the workers
// under the job name the rules select on.
interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const alerts = readYaml(ALERTS_FILE);
const groups = alerts['groups'] as { name: string; rules: Rule[] }[];
const rules = groups.flatMap((g) => g.rules);

/**
 * The job label the Operator gives a ServiceMonitor's targets: the value of the Service's
 * label named by spec.jobLabel, or the Service's name when jobLabel is unset or the Service
 * lacks that label (prometheus-operator, "ServiceMonitor" / jobLabel).
 */
function operatorJobName(
  serviceMonitor: Record<string, unknown>,
  service: Record<string, unknown>,
): string {
  const jobLabel = at(serviceMonitor, 'spec.jobLabel');
  const labels = (at(service, 'metadata.labels') ?? {}) as Record<string, string>;
  const fromLabel = typeof jobLabel === 'string' ? labels[jobLabel] : undefined;
  return fromLabel ?? String(at(service, 'metadata.name'));
}

/** Every job="…" matcher of the rules' expressions and every job label the alerts set. */
function jobsSelected(): string[] {
  const jobs = rules.flatMap((r) =>
    [...r.expr.matchAll(/\bjob\s*=~?\s*"([^"]*)"/g)].map((m) => m[1] ?? ''),
  );
  for (const r of rules) if (r.labels?.['job'] !== undefined) jobs.push(r.labels['job']);
  return jobs;
}

describe('alert rules under compose and under the Prometheus Operator', () => {
  test('the job the rules select is the one the ServiceMonitor and compose produce', () => {
    const monitor = readYaml(
      join(repoRoot, 'docker/k8s/components/servicemonitor/servicemonitor.yaml'),
    );
    const service = readYaml(join(repoRoot, 'docker/k8s/base/service.yaml'));
    const selector = at(monitor, 'spec.selector.matchLabels') as Record<string, string>;
    const serviceLabels = at(service, 'metadata.labels') as Record<string, string>;
    assert.ok(Object.entries(selector).every(([k, v]) => serviceLabels[k] === v));
    const operatorJob = operatorJobName(monitor, service);

    const prometheus = readYaml(join(repoRoot, 'docker/prometheus/prometheus.yml'));
    const scrapes = prometheus['scrape_configs'] as Record<string, unknown>[];
    const workers = scrapes.find((s) =>
      ((at(s, 'dns_sd_configs.0.names') ?? []) as string[]).includes('worker'),
    );
    const composeJob = workers?.['job_name'];

    const jobs = jobsSelected();
    assert.ok(jobs.length >= 2, 'the up{} rules select the workers by job');
    for (const job of jobs) {
      assert.equal(job, operatorJob, 'job under the Prometheus Operator');
      assert.equal(job, composeJob, 'job under compose');
    }
  });

  test('the Operator rule: jobLabel unset falls back to the Service name (the old bug)', () => {
    const service = { metadata: { name: 'hanzo-ingest-metrics', labels: { app: 'x' } } };
    assert.equal(operatorJobName({ spec: {} }, service), 'hanzo-ingest-metrics');
    assert.equal(operatorJobName({ spec: { jobLabel: 'app' } }, service), 'x');
    assert.equal(
      operatorJobName({ spec: { jobLabel: 'missing' } }, service),
      'hanzo-ingest-metrics',
    );
  });

  test('the PrometheusRule is alerts.yml, as generated (node test/static/prometheus-rule.ts)', async () => {
    const [rule] = readYamlDocuments(PROMETHEUS_RULE_FILE);
    assert.ok(isRecord(rule));
    assert.equal(rule['kind'], 'PrometheusRule');
    assert.deepEqual(at(rule, 'spec.groups'), groups);
    assert.equal(readFileSync(PROMETHEUS_RULE_FILE, 'utf8'), await renderPrometheusRule(alerts));
  });

  test('every alert links its runbook section (docs/operations.md) with an absolute runbook_url', () => {
    const runbooks = readFileSync(join(repoRoot, 'docs/operations.md'), 'utf8');
    assert.match(RUNBOOK_BASE_URL, /^https:\/\/[^#]+docs\/operations\.md$/);
    for (const r of rules.filter((x) => x.alert !== undefined)) {
      const name = r.alert ?? '';
      assert.equal(r.annotations?.['runbook_url'], runbookUrl(name), name);
      assert.equal(r.annotations?.['runbook'], undefined, `${name}: runbook is now runbook_url`);
      assert.ok(
        runbooks.includes(`\n### Alert: ${name}\n`),
        `docs/operations.md has no section for ${name}`,
      );
    }
  });
});
