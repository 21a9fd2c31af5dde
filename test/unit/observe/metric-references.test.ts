import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { METRICS } from '../../../src/observe/metric-names.ts';

// The dashboard, the alert rules and the KEDA query may only name metrics from the one list (a renamed
// metric must not leave a panel or an alert silently empty).
const root = join(import.meta.dirname, '../../..');
const known = new Set<string>(Object.values(METRICS).map((m) => m.name));

function referenced(file: string): Set<string> {
  const text = readFileSync(join(root, file), 'utf8');
  const names = new Set<string>();
  for (const [name] of text.matchAll(/\bhanzo_ingest_[a-z0-9_]+/g)) {
    names.add(name.replace(/_(bucket|sum|count)$/, ''));
  }
  return names;
}

// With the fewest metrics each file references, so a broken pattern cannot pass empty.
for (const [file, atLeast] of [
  ['docker/grafana/dashboards/hanzo-ingest.json', 11],
  ['docker/prometheus/alerts.yml', 11],
  ['docker/k8s/overlays/keda/scaledobject.yaml', 2],
] as const) {
  test(`${file} names only metrics of src/observe/metric-names.ts`, () => {
    const names = referenced(file);
    assert.ok(names.size >= atLeast, `${file} references ${names.size} metrics`);
    assert.deepEqual(
      [...names].filter((n) => !known.has(n)),
      [],
    );
  });
}
