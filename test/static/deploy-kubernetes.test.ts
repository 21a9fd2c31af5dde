import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { loadConfig } from '../../src/config/load-config.ts';
import { WORKER_HEAP_MAX_MIB } from '../demo/worker-env.ts';
import {
  asKubernetesObject,
  at,
  configEnvNames,
  findUnknownFields,
  isRecord,
  listFiles,
  readYaml,
  readYamlDocuments,
  repoRoot,
  validateWithSchema,
  type KubernetesObject,
} from './deploy-helpers.ts';

// The Kubernetes manifests (docker/k8s) against the Kubernetes, KEDA and Prometheus Operator
// schemas bundled in kubernetes-models, then against the rest of the project: the settings
// the worker reads, the topic's partition count and the worker's drain deadline.
const k8sDir = join(repoRoot, 'docker/k8s');
const manifestFiles = listFiles(k8sDir, '.yaml').filter((f) => !f.endsWith('kustomization.yaml'));
const objects = manifestFiles.flatMap((file) =>
  readYamlDocuments(file).map((doc) => asKubernetesObject(file, doc)),
);
const find = (kind: string, name?: string): KubernetesObject => {
  const found = objects.find((o) => o.kind === kind && (name === undefined || o.name === name));
  assert.ok(found, `no ${kind}${name === undefined ? '' : `/${name}`} in docker/k8s`);
  return found;
};
const deployment = find('Deployment', 'hanzo-ingest');
const configMap = find('ConfigMap', 'hanzo-ingest-config');
const configData = at(configMap.data, 'data') as Record<string, string>;
const podSpec = at(deployment.data, 'spec.template.spec') as Record<string, unknown>;
const worker = at(podSpec, 'containers.0') as Record<string, unknown>;
const partitions = (
  JSON.parse(readFileSync(join(repoRoot, 'topics/hanzo_events.json'), 'utf8')) as {
    partitions: number;
  }
).partitions;

describe('Kubernetes manifests: schemas', () => {
  test('every object validates against its schema (Kubernetes, KEDA, Prometheus Operator)', async () => {
    const kinds = new Set(objects.map((o) => o.kind));
    for (const kind of [
      'Deployment',
      'Service',
      'ConfigMap',
      'Secret',
      'PodDisruptionBudget',
      'ServiceMonitor',
      'ScaledObject',
      'HorizontalPodAutoscaler',
      'Job',
    ]) {
      assert.ok(kinds.has(kind), `no ${kind} among the manifests`);
    }
    const problems: string[] = [];
    for (const object of objects) {
      for (const p of await validateWithSchema(object)) {
        problems.push(`${relative(repoRoot, object.file)} ${object.kind}/${object.name}: ${p}`);
      }
    }
    assert.deepEqual(problems, []);
  });

  test('no object has a field its schema does not know (strict field validation)', () => {
    assert.deepEqual(findUnknownFields(objects), []);
  });

  test('the checks catch broken manifests (a wrong type, an unknown field, a bad enum)', async () => {
    const broken = structuredClone(deployment.data);
    const container = at(broken, 'spec.template.spec.containers.0') as Record<string, unknown>;
    container['ports'] = [{ name: 'metrics', containerPort: '9464' }];
    assert.match(
      (await validateWithSchema({ ...deployment, data: broken })).join(),
      /containerPort must be integer/,
    );

    const typo = structuredClone(deployment.data);
    const probe = at(typo, 'spec.template.spec.containers.0.readinessProbe') as Record<
      string,
      unknown
    >;
    probe['periodSecond'] = 5;
    assert.match(findUnknownFields([{ ...deployment, data: typo }]).join(), /periodSecond/);

    const scaled = structuredClone(find('ScaledObject').data);
    (at(scaled, 'spec') as Record<string, unknown>)['maxReplicas'] = 3;
    assert.match(
      findUnknownFields([{ ...find('ScaledObject'), data: scaled }]).join(),
      /maxReplicas/,
    );

    const pdb = structuredClone(find('PodDisruptionBudget').data);
    (at(pdb, 'spec') as Record<string, unknown>)['unhealthyPodEvictionPolicy'] = 'Sometimes';
    assert.notDeepEqual(
      await validateWithSchema({ ...find('PodDisruptionBudget'), data: pdb }),
      [],
    );
  });
});

describe('Kubernetes manifests: consistent with the worker', () => {
  test('ConfigMap keys and container env are settings the worker knows', () => {
    const known = configEnvNames();
    const unknown = Object.keys(configData).filter((k) => !known.has(k));
    assert.deepEqual(unknown, [], 'ConfigMap keys that would stop start-up as unknown settings');
    for (const object of objects.filter((o) => o.kind === 'Deployment' || o.kind === 'Job')) {
      const containers = at(object.data, 'spec.template.spec.containers') as Record<
        string,
        unknown
      >[];
      for (const c of containers) {
        const names = ((c['env'] ?? []) as { name: string }[]).map((e) => e.name);
        const ours = names.filter((n) => n !== 'NODE_OPTIONS');
        assert.deepEqual(
          ours.filter((n) => !known.has(n)),
          [],
          `${object.kind}/${object.name}: unknown variables`,
        );
        assert.ok(
          !names.some((n) => /PASSWORD$/.test(n)),
          `${object.kind}/${object.name}: passwords come from files (*_PASSWORD_FILE), never env values`,
        );
      }
    }
  });

  test('the ConfigMap plus the mounted secret file is a configuration the worker accepts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hanzo-k8s-'));
    const env: Record<string, string> = { ...configData, INGEST_WORKER_ID: 'hanzo-ingest-0' };
    for (const e of (worker['env'] ?? []) as { name: string; value?: string }[]) {
      if (!e.name.endsWith('_FILE') || e.value === undefined) continue;
      const file = join(dir, e.name);
      writeFileSync(file, 'secret-from-file\n');
      env[e.name] = file;
    }
    const config = loadConfig({ env });
    assert.equal(config.clickhouse.password, 'secret-from-file');
    assert.equal(config.clickhouse.cluster, configData['CLICKHOUSE_CLUSTER']);
    assert.equal(config.kafka.groupId, configData['KAFKA_GROUP_ID']);
    assert.equal(config.metricsPort, 9464);
  });

  test('the heap cap is the one the worker is sized and tested with, inside the memory limit', () => {
    // The image's ENTRYPOINT starts node with the cap (deploy-dockerfile.test.ts): no
    // container replaces it, and NODE_OPTIONS is left to the user.
    for (const object of objects.filter((o) => o.kind === 'Deployment' || o.kind === 'Job')) {
      for (const c of at(object.data, 'spec.template.spec.containers') as unknown[]) {
        assert.equal(at(c, 'command'), undefined, `${object.name}: command drops the heap cap`);
        const env = (at(c, 'env') ?? []) as { name: string }[];
        assert.ok(!env.some((e) => e.name === 'NODE_OPTIONS'), `${object.name}: NODE_OPTIONS`);
      }
    }
    const limit = String(at(worker, 'resources.limits.memory'));
    const limitMiB = /^(\d+)Mi$/.exec(limit)?.[1] ?? /^(\d+)Gi$/.exec(limit)?.[1];
    assert.ok(limitMiB !== undefined, limit);
    const mib = limit.endsWith('Gi') ? Number(limitMiB) * 1024 : Number(limitMiB);
    // Idle ~280 MiB (geo databases), the heap room, the buffer budget and a fetch.
    assert.ok(mib >= WORKER_HEAP_MAX_MIB + 384, `memory limit ${limit} too small for the heap cap`);
  });

  test('terminationGracePeriodSeconds outlasts preStop + drain deadline + hard-stop margin', () => {
    // The drain deadline the worker runs with: the ConfigMap's, else the setting's default.
    const shutdownMs = loadConfig({ env: { ...configData } }).shutdownTimeoutMs;
    assert.ok(shutdownMs > 0);
    const preStop = Number(at(worker, 'lifecycle.preStop.sleep.seconds') ?? 0);
    // src/main.ts exits on its own SHUTDOWN_TIMEOUT_MS + 10 s after SIGTERM, whatever happens.
    const needed = preStop + shutdownMs / 1000 + 10;
    const grace = podSpec['terminationGracePeriodSeconds'] as number;
    assert.ok(grace > needed, `terminationGracePeriodSeconds ${grace} must exceed ${needed}`);
  });

  test('the disruption budget never blocks a drain because workers are unready', () => {
    // A ClickHouse outage makes every worker unready; the default policy would then refuse
    // every eviction and hold node drains until ClickHouse is back.
    const pdb = find('PodDisruptionBudget');
    assert.equal(at(pdb.data, 'spec.unhealthyPodEvictionPolicy'), 'AlwaysAllow');
    assert.equal(at(pdb.data, 'spec.maxUnavailable'), 1);
  });

  test('probes: liveness and startup on /healthz, readiness on /readyz, on METRICS_PORT', () => {
    const port = Number(configData['METRICS_PORT']);
    const ports = worker['ports'] as { name: string; containerPort: number }[];
    const metrics = ports.find((p) => p.name === 'metrics');
    assert.equal(metrics?.containerPort, port);
    assert.equal(at(worker, 'livenessProbe.httpGet.path'), '/healthz');
    assert.equal(at(worker, 'startupProbe.httpGet.path'), '/healthz');
    assert.equal(at(worker, 'readinessProbe.httpGet.path'), '/readyz');
    for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
      assert.equal(at(worker, `${probe}.httpGet.port`), 'metrics', probe);
    }
  });

  test('the worker runs non-root, read-only, without capabilities or an API token', () => {
    for (const object of objects.filter((o) => o.kind === 'Deployment' || o.kind === 'Job')) {
      const spec = at(object.data, 'spec.template.spec');
      const where = `${object.kind}/${object.name}`;
      assert.equal(at(spec, 'securityContext.runAsNonRoot'), true, where);
      assert.equal(at(spec, 'securityContext.seccompProfile.type'), 'RuntimeDefault', where);
      assert.equal(at(spec, 'automountServiceAccountToken'), false, where);
      for (const c of at(spec, 'containers') as unknown[]) {
        assert.equal(at(c, 'securityContext.allowPrivilegeEscalation'), false, where);
        assert.equal(at(c, 'securityContext.readOnlyRootFilesystem'), true, where);
        assert.deepEqual(at(c, 'securityContext.capabilities.drop'), ['ALL'], where);
        assert.ok(at(c, 'resources.requests.memory') && at(c, 'resources.limits.memory'), where);
        const args = at(c, 'args') as string[];
        assert.ok(['run', 'migrate', 'topics'].includes(args[0] ?? ''), `${where}: ${args[0]}`);
      }
      // Secret files mounted where the *_FILE variables point.
      const mounts = (at(spec, 'containers.0.volumeMounts') ?? []) as { mountPath: string }[];
      for (const e of (at(spec, 'containers.0.env') ?? []) as { name: string; value?: string }[]) {
        if (!e.name.endsWith('_FILE') || e.value === undefined) continue;
        assert.ok(
          mounts.some((m) => dirname(e.value ?? '') === m.mountPath),
          `${where}: ${e.name} points outside the mounted secret`,
        );
      }
    }
    assert.equal(at(find('ServiceAccount').data, 'automountServiceAccountToken'), false);
  });

  test('the Secret example holds every file the pods read, and is not applied by kustomize', () => {
    const secret = find('Secret', 'hanzo-ingest-secrets');
    const keys = Object.keys(at(secret.data, 'stringData') ?? {});
    for (const e of (worker['env'] ?? []) as { name: string; value?: string }[]) {
      if (e.name.endsWith('_FILE') && e.value !== undefined) {
        assert.ok(keys.includes(e.value.split('/').pop() ?? ''), `${e.value} not in the Secret`);
      }
    }
    const secretVolume = (podSpec['volumes'] as { secret?: { secretName: string } }[]).find(
      (v) => v.secret !== undefined,
    );
    assert.equal(secretVolume?.secret?.secretName, secret.name);
    const base = readYaml(join(k8sDir, 'base/kustomization.yaml'));
    assert.ok(
      !(base['resources'] as string[]).includes(relative(join(k8sDir, 'base'), secret.file)),
    );
  });

  test('selectors: Service, PodDisruptionBudget, ServiceMonitor and spread match the pods', () => {
    const podLabels = at(deployment.data, 'spec.template.metadata.labels') as Record<
      string,
      string
    >;
    const matches = (selector: unknown): boolean =>
      isRecord(selector) &&
      Object.keys(selector).length > 0 &&
      Object.entries(selector).every(([k, v]) => podLabels[k] === v);
    assert.ok(matches(at(deployment.data, 'spec.selector.matchLabels')));
    const service = find('Service');
    assert.ok(matches(at(service.data, 'spec.selector')), 'Service selector');
    assert.ok(matches(at(find('PodDisruptionBudget').data, 'spec.selector.matchLabels')), 'PDB');
    assert.ok(matches(at(find('NetworkPolicy').data, 'spec.podSelector.matchLabels')), 'policy');
    assert.ok(matches(at(podSpec, 'topologySpreadConstraints.0.labelSelector.matchLabels')));
    // The Jobs run the same image but are not workers: no worker selector may pick them.
    for (const job of objects.filter((o) => o.kind === 'Job')) {
      const labels = at(job.data, 'spec.template.metadata.labels') as Record<string, string>;
      for (const selector of [
        at(service.data, 'spec.selector'),
        at(find('PodDisruptionBudget').data, 'spec.selector.matchLabels'),
      ] as Record<string, string>[]) {
        const selectsJob = Object.entries(selector).every(([k, v]) => labels[k] === v);
        assert.ok(!selectsJob, `${job.name} would count as a worker`);
      }
    }
    const monitor = find('ServiceMonitor');
    const serviceLabels = at(service.data, 'metadata.labels') as Record<string, string>;
    const monitorSelector = at(monitor.data, 'spec.selector.matchLabels') as Record<string, string>;
    assert.ok(Object.entries(monitorSelector).every(([k, v]) => serviceLabels[k] === v));
    const servicePorts = (at(service.data, 'spec.ports') as { name: string }[]).map((p) => p.name);
    assert.ok(servicePorts.includes(at(monitor.data, 'spec.endpoints.0.port') as string));
    assert.equal(at(service.data, 'spec.ports.0.targetPort'), 'metrics');
  });

  // KEDA: keda-scaling.test.ts.
  test('the HPA alternative targets the Deployment on CPU within the same bounds', () => {
    const hpa = find('HorizontalPodAutoscaler');
    assert.equal(at(hpa.data, 'spec.scaleTargetRef.name'), deployment.name);
    assert.ok((at(hpa.data, 'spec.maxReplicas') as number) <= partitions);
    assert.equal(at(hpa.data, 'spec.metrics.0.resource.name'), 'cpu');
    assert.ok(at(worker, 'resources.requests.cpu'), 'CPU utilisation needs a CPU request');
    assert.equal(at(deployment.data, 'spec.replicas'), undefined, 'the autoscaler owns replicas');
  });
});

describe('Kubernetes manifests: kustomize', () => {
  const kustomizations = listFiles(k8sDir, 'kustomization.yaml');

  test('every kustomization lists files and directories that exist', () => {
    assert.ok(kustomizations.length >= 4);
    for (const file of kustomizations) {
      const k = readYaml(file);
      for (const entry of [
        ...((k['resources'] ?? []) as string[]),
        ...((k['components'] ?? []) as string[]),
      ]) {
        const target = join(dirname(file), entry);
        assert.doesNotThrow(
          () => readFileSync(entry.endsWith('.yaml') ? target : join(target, 'kustomization.yaml')),
          `${relative(repoRoot, file)}: ${entry}`,
        );
      }
    }
  });

  test('every manifest is applied by a kustomization, or is named *.example.yaml', () => {
    const listed = new Set(
      kustomizations.flatMap((file) =>
        ((readYaml(file)['resources'] ?? []) as string[])
          .filter((r) => r.endsWith('.yaml'))
          .map((r) => join(dirname(file), r)),
      ),
    );
    const stray = manifestFiles.filter((f) => !listed.has(f) && !f.endsWith('.example.yaml'));
    assert.deepEqual(
      stray.map((f) => relative(repoRoot, f)),
      [],
    );
  });

  const kubectl = process.env['KUBECTL'] ?? 'kubectl';
  for (const overlay of ['keda', 'hpa-cpu']) {
    test(`kubectl kustomize overlays/${overlay}: builds valid, namespaced objects`, async (t) => {
      const built = await promisify(execFile)(
        kubectl,
        ['kustomize', join(k8sDir, 'overlays', overlay)],
        {
          maxBuffer: 16 << 20,
        },
      ).catch((err: NodeJS.ErrnoException) => err);
      if ('code' in built && built.code === 'ENOENT') {
        t.skip('kubectl is not installed (the raw manifests are still validated above)');
        return;
      }
      assert.ok(!(built instanceof Error), built instanceof Error ? built.message : '');
      const docs = parseAllDocuments(built.stdout).map((d) => d.toJS() as unknown);
      const builtObjects = docs.map((d) => asKubernetesObject(`overlays/${overlay}`, d));
      const kinds = builtObjects.map((o) => o.kind).sort();
      assert.ok(kinds.includes(overlay === 'keda' ? 'ScaledObject' : 'HorizontalPodAutoscaler'));
      assert.ok(!kinds.includes('Secret'), 'the Secret example must not be applied');
      for (const o of builtObjects) {
        assert.equal(at(o.data, 'metadata.namespace'), 'hanzo', `${o.kind}/${o.name}`);
        assert.deepEqual(await validateWithSchema(o), [], `${o.kind}/${o.name}`);
        const image = at(o.data, 'spec.template.spec.containers.0.image');
        if (typeof image === 'string') assert.match(image, /^ghcr\.io\/hanzoai\/hanzo-ingest:\d/);
      }
      assert.deepEqual(findUnknownFields(builtObjects), []);
    });
  }
});
