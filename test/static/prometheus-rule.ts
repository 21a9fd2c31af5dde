/**
 * The alert rules for Prometheus Operator users: a PrometheusRule whose spec.groups are
 * docker/prometheus/alerts.yml's groups, unchanged. alerts.yml is the one source; this
 * renders the manifest, and prometheus-rule.test.ts fails when the committed file differs.
 *
 *   node test/static/prometheus-rule.ts     # rewrite the PrometheusRule after editing alerts.yml
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as prettier from 'prettier';
import { stringify } from 'yaml';
import { readYaml, repoRoot } from './deploy-helpers.ts';

/**
 * Where each alert's runbook_url points: the "Alert: <name>" sections of docs/operations.md. A placeholder
 * (package.json and the docs name no repository; the image is ghcr.io/hanzoai/hanzo-ingest):
 * change it here and in alerts.yml together, the test checks they agree.
 */
export const RUNBOOK_BASE_URL =
  'https://github.com/hanzoai/hanzo-ingest/blob/main/docs/operations.md';

/** The anchor GitHub gives the heading `### Alert: <name>` of docs/operations.md. */
export function runbookUrl(alertName: string): string {
  return `${RUNBOOK_BASE_URL}#alert-${alertName.toLowerCase()}`;
}

export const ALERTS_FILE = join(repoRoot, 'docker/prometheus/alerts.yml');
export const PROMETHEUS_RULE_FILE = join(
  repoRoot,
  'docker/k8s/components/servicemonitor/prometheusrule.yaml',
);

const HEADER = `# GENERATED from docker/prometheus/alerts.yml by \`node test/static/prometheus-rule.ts\`:
# edit alerts.yml and run it again (test/static/prometheus-rule.test.ts fails while they differ).
# The Operator's Prometheus loads PrometheusRules its ruleSelector matches: add the label it
# selects on (e.g. release: <your kube-prometheus-stack release>) in an overlay if needed.
`;

/** The PrometheusRule manifest for the given alerts.yml content, formatted as committed. */
export async function renderPrometheusRule(alerts: Record<string, unknown>): Promise<string> {
  const manifest = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'hanzo-ingest', labels: { 'app.kubernetes.io/name': 'hanzo-ingest' } },
    spec: { groups: alerts['groups'] },
  };
  const text = HEADER + stringify(manifest, { lineWidth: 0 });
  const options = await prettier.resolveConfig(PROMETHEUS_RULE_FILE);
  return prettier.format(text, { ...options, parser: 'yaml' });
}

if (import.meta.filename === process.argv[1]) {
  writeFileSync(PROMETHEUS_RULE_FILE, await renderPrometheusRule(readYaml(ALERTS_FILE)));
  console.log(`wrote ${PROMETHEUS_RULE_FILE}`);
}
