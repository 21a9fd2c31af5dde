import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { at, readYaml, repoRoot } from './deploy-helpers.ts';

// The KEDA ScaledObject (docker/k8s/overlays/keda): bounded by the partitions, scaling only on
// lag the workers are working off, and removing workers no faster than they drain.
const k8s = (file: string): Record<string, unknown> => readYaml(join(repoRoot, 'docker/k8s', file));
const scaled = k8s('overlays/keda/scaledobject.yaml');
const deployment = k8s('base/deployment.yaml');
const configData = at(k8s('base/configmap.yaml'), 'data') as Record<string, string>;
const { partitions } = JSON.parse(
  readFileSync(join(repoRoot, 'topics/hanzo_events.json'), 'utf8'),
) as { partitions: number };
const triggers = at(scaled, 'spec.triggers') as {
  type: string;
  metadata: Record<string, string>;
}[];
const query = triggers[0]?.metadata['query'] ?? '';

describe('KEDA ScaledObject', () => {
  test('replicas between 2 and the partitions of hanzo_events, on the Deployment', () => {
    assert.equal(at(scaled, 'spec.scaleTargetRef.name'), at(deployment, 'metadata.name'));
    assert.equal(at(scaled, 'spec.maxReplicaCount'), partitions);
    assert.ok((at(scaled, 'spec.minReplicaCount') as number) >= 2);
  });

  test('one Prometheus trigger on this group, topic, namespace and scrape job', () => {
    // KEDA scales to the largest of its triggers: a second one on raw lag (the kafka scaler)
    // would add replicas for a stuck batch again.
    assert.deepEqual(
      triggers.map((t) => t.type),
      ['prometheus'],
    );
    assert.ok(Number(triggers[0]?.metadata['threshold']) > 0);
    const monitor = k8s('components/servicemonitor/servicemonitor.yaml');
    const service = k8s('base/service.yaml');
    const jobLabel = at(monitor, 'spec.jobLabel') as string;
    const expected: Record<string, unknown> = {
      group: configData['KAFKA_GROUP_ID'],
      topic: configData['KAFKA_TOPICS'],
      namespace: k8s('overlays/keda/kustomization.yaml')['namespace'],
      job: (at(service, 'metadata.labels') as Record<string, string>)[jobLabel],
    };
    const matchers = [...query.matchAll(/(\w+)="([^"]*)"/g)];
    assert.ok(matchers.length >= 6, query);
    for (const [, name = '', value] of matchers) {
      assert.equal(value, expected[name], `${name}="${value}" in the query`);
    }
    assert.match(query, /hanzo_ingest_consumer_lag\{/);
    assert.match(query, /rate\(hanzo_ingest_rows_inserted_total\{[^}]*\}\[\d+m\]\)\) > bool 0/);
  });

  test('scale-down removes one worker at a time, slower than a worker drains', () => {
    const grace = at(deployment, 'spec.template.spec.terminationGracePeriodSeconds') as number;
    const down = at(scaled, 'spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown');
    assert.ok((at(down, 'stabilizationWindowSeconds') as number) >= grace);
    const policies = at(down, 'policies') as {
      type: string;
      value: number;
      periodSeconds: number;
    }[];
    assert.ok(policies.length > 0);
    for (const p of policies) {
      assert.deepEqual([p.type, p.value], ['Pods', 1]);
      assert.ok(p.periodSeconds > grace, `periodSeconds ${p.periodSeconds} <= grace ${grace}`);
    }
  });

  test('promtool: the query is the lag while rows land, 0 while they do not', async () => {
    const sel = 'job="hanzo-ingest",namespace="hanzo",group="hanzo-ingest"';
    const series = [
      // Two replicas export the same broker-side lag of partitions 0 and 1: counted once.
      ...['w1', 'w2'].flatMap((w) => [
        {
          series: `hanzo_ingest_consumer_lag{${sel},instance="${w}",topic="hanzo_events",partition="0"}`,
          values: '300000x30',
        },
        {
          series: `hanzo_ingest_consumer_lag{${sel},instance="${w}",topic="hanzo_events",partition="1"}`,
          values: '100000x30',
        },
      ]),
      // Another group's lag is not ours.
      {
        series:
          'hanzo_ingest_consumer_lag{job="hanzo-ingest",namespace="hanzo",group="other",instance="w3",topic="hanzo_events",partition="0"}',
        values: '9000000x30',
      },
      // Rows land for 10 minutes, then every insert is stuck.
      {
        series: `hanzo_ingest_rows_inserted_total{${sel},instance="w1",table="events"}`,
        values: '0+5000x10 50000x20',
      },
    ];
    const tests = {
      rule_files: [],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: series,
          promql_expr_test: [
            { expr: query, eval_time: '8m', exp_samples: [{ labels: '{}', value: 400000 }] },
            { expr: query, eval_time: '20m', exp_samples: [{ labels: '{}', value: 0 }] },
          ],
        },
      ],
    };
    const dir = mkdtempSync(join(tmpdir(), 'hanzo-keda-'));
    writeFileSync(join(dir, 'keda.test.yml'), stringify(tests));
    const result = await promisify(execFile)('promtool', ['test', 'rules', 'keda.test.yml'], {
      cwd: dir,
    }).catch((err: { stdout?: string; stderr?: string; message: string }) => err);
    const output = 'stdout' in result ? `${result.stdout ?? ''}${result.stderr ?? ''}` : '';
    assert.ok(
      !(result instanceof Error),
      `${output}${result instanceof Error ? result.message : ''}`,
    );
    assert.match(output, /SUCCESS/);
  });
});
