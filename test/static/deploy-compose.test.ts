import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { Ajv } from 'ajv';
import { loadConfig } from '../../src/config/load-config.ts';
import { OWNED_ENV_PREFIXES } from '../../src/config/env-settings.ts';
import { testedClickHouseVersion, testedKafkaVersion } from '../stack/tested-versions.ts';
import { at, configEnvNames, isRecord, readYaml, repoRoot } from './deploy-helpers.ts';

// compose.yml and compose.cluster.yml without Docker: the official Compose Specification JSON
// schema (as bundled by dclint, which also lints them), then the references between the files
// and the project: mounted files, CLI commands, settings, drain deadline, cluster wiring.
const COMPOSE_FILES = ['compose.yml', 'compose.cluster.yml'] as const;
const composeSchema = JSON.parse(
  readFileSync(join(repoRoot, 'node_modules/dclint/schemas/compose.schema.json'), 'utf8'),
) as Record<string, unknown>;
const validateCompose = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true }).compile({
  ...composeSchema,
  $schema: 'http://json-schema.org/draft-07/schema#',
});
const run = promisify(execFile);

// dclint's bundled .d.ts files do not resolve under NodeNext: the part used here, typed.
interface LintMessage {
  line: number;
  rule: string;
  message: string;
}
interface DclintModule {
  DCLinter: new (config: {
    rules: Record<string, number>;
    quiet: boolean;
    debug: boolean;
    exclude: string[];
  }) => { lintFiles(paths: string[], recursive: boolean): { messages: LintMessage[] }[] };
}
const dclintModule: unknown = await import('dclint');
const { DCLinter } = dclintModule as DclintModule;

type Service = Record<string, unknown>;
const services = (file: string): Record<string, Service> =>
  readYaml(join(repoRoot, file))['services'] as Record<string, Service>;
const usesOurImage = (s: Service): boolean => s['image'] === 'hanzo-ingest:local';

/** Compose interpolation of `${VAR:-default}` / `${VAR}` as if nothing were set. */
function interpolate(value: string): string {
  return value.replace(
    /\$\{([A-Z0-9_]+)(?::?-([^}]*))?\}/g,
    (_, _name: string, def?: string) => def ?? '',
  );
}

function environment(service: Service): Record<string, string> {
  const env = (service['environment'] ?? {}) as Record<string, unknown>;
  assert.ok(isRecord(env), 'environment as a mapping');
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, interpolate(String(v))]));
}

function seconds(duration: string): number {
  const m = /^(\d+)(ms|s|m)$/.exec(duration);
  assert.ok(m, `duration ${duration}`);
  return Number(m[1]) * { ms: 0.001, s: 1, m: 60 }[m[2] as 'ms' | 's' | 'm'];
}

for (const file of COMPOSE_FILES) {
  describe(`${file}`, () => {
    const doc = readYaml(join(repoRoot, file));
    const all = services(file);

    test('validates against the Compose Specification schema', () => {
      const ok = validateCompose(doc);
      assert.ok(ok, JSON.stringify(validateCompose.errors, null, 2));
    });

    test('dclint finds nothing (its ordering/style rules aside)', () => {
      const linter = new DCLinter({
        rules: {
          'service-keys-order': 0,
          'services-alphabetical-order': 0,
          'top-level-properties-order': 0,
        },
        quiet: false,
        debug: false,
        exclude: [],
      });
      const results = linter.lintFiles([join(repoRoot, file)], false);
      assert.equal(results.length, 1);
      assert.deepEqual(
        results[0]?.messages.map((m) => `${m.line}: ${m.rule}: ${m.message}`),
        [],
      );
    });

    test('every bind-mounted file or folder exists in the repository', () => {
      const missing: string[] = [];
      for (const [name, service] of Object.entries(all)) {
        for (const volume of (service['volumes'] ?? []) as string[]) {
          const source = volume.split(':')[0] ?? '';
          if (source.startsWith('./') && !existsSync(join(repoRoot, source))) {
            missing.push(`${name}: ${source}`);
          }
        }
        const build = service['build'] as { context: string; dockerfile: string } | undefined;
        if (build !== undefined) {
          assert.ok(existsSync(join(repoRoot, build.context, build.dockerfile)), name);
        }
      }
      assert.deepEqual(missing, []);
    });

    test('our containers keep the image entry point: node starts with the heap cap', () => {
      // The cap is on the image's node command line (deploy-dockerfile.test.ts); an
      // entrypoint here would drop it, and NODE_OPTIONS is left to the user.
      for (const [name, service] of Object.entries(all).filter(([, s]) => usesOurImage(s))) {
        assert.equal(service['entrypoint'], undefined, `${name} replaces the entry point`);
        const env = (service['environment'] ?? {}) as Record<string, unknown>;
        assert.equal(env['NODE_OPTIONS'], undefined, `${name} sets NODE_OPTIONS`);
      }
    });

    test('depends_on names services; one-shot jobs are not restarted', () => {
      for (const [name, service] of Object.entries(all)) {
        const deps = service['depends_on'];
        const entries = Array.isArray(deps)
          ? (deps as string[]).map((d) => [d, {}] as const)
          : Object.entries((deps ?? {}) as Record<string, { condition?: string }>);
        for (const [dep, spec] of entries) {
          assert.ok(all[dep] !== undefined, `${name} depends on unknown ${dep}`);
          if (isRecord(spec) && spec['condition'] === 'service_completed_successfully') {
            assert.equal(all[dep]?.['restart'], 'no', `${dep} is a one-shot job`);
          }
          if (isRecord(spec) && spec['condition'] === 'service_healthy') {
            assert.ok(all[dep]?.['healthcheck'] !== undefined, `${dep} has no healthcheck`);
          }
        }
      }
    });

    test('Kafka and ClickHouse are the versions the tests run (test/stack/tested-versions.ts)', () => {
      const images = Object.values(all).map((s) => String(s['image']));
      const tags = (repository: string): string[] =>
        images.filter((i) => i.startsWith(`${repository}:`)).map((i) => i.split(':')[1] ?? '');
      // The broker of test/stack/kafka/pom.xml; chDB's embedded ClickHouse release.
      assert.deepEqual(tags('apache/kafka'), [testedKafkaVersion()]);
      const clickhouse = [
        ...tags('clickhouse/clickhouse-server'),
        ...tags('clickhouse/clickhouse-keeper'),
      ];
      assert.ok(clickhouse.length > 0);
      for (const tag of clickhouse) assert.equal(tag, testedClickHouseVersion());
    });

    test('the whole system: Kafka, ClickHouse, topics + migrations, 3 workers, producer, Prometheus, Grafana', () => {
      const commands = Object.values(all)
        .filter(usesOurImage)
        .map((s) => (s['command'] as string[]).slice(0, 2).join(' '));
      for (const expected of ['topics apply', 'migrate up', 'run', 'produce-sample --rate']) {
        assert.ok(commands.includes(expected), `no service runs \`${expected}\``);
      }
      assert.equal(at(all['worker'], 'deploy.replicas'), 3);
      for (const name of ['kafka', 'prometheus', 'grafana']) assert.ok(all[name], name);
      assert.ok(
        Object.values(all).some((s) =>
          String(s['image']).startsWith('clickhouse/clickhouse-server:'),
        ),
      );
    });

    test('containers of the image get only settings the worker knows, and accept them', () => {
      const known = configEnvNames();
      for (const [name, service] of Object.entries(all).filter(([, s]) => usesOurImage(s))) {
        const env = environment(service);
        const unknown = Object.keys(env).filter(
          (k) => OWNED_ENV_PREFIXES.some((p) => k.startsWith(p)) && !known.has(k),
        );
        assert.deepEqual(unknown, [], name);
        const config = loadConfig({ env });
        assert.deepEqual(config.kafka.brokers, ['kafka:29092'], name);
      }
    });

    test('each command line is one the CLI accepts (commands and options exist)', async () => {
      const cli = join(repoRoot, 'src/cli/main.ts');
      const seen = new Set<string>();
      for (const service of Object.values(all).filter(usesOurImage)) {
        const command = service['command'] as string[];
        const words = command.filter((w) => !w.startsWith('-') && !/^\d+$/.test(w));
        const key = command.join(' ');
        if (seen.has(key)) continue;
        seen.add(key);
        const { stdout } = await run(process.execPath, [cli, ...words, '--help'], {
          env: { PATH: process.env['PATH'] ?? '' },
        });
        for (const option of command.filter((w) => w.startsWith('--'))) {
          assert.ok(stdout.includes(option), `\`${words.join(' ')}\` has no option ${option}`);
        }
      }
    });

    test('workers get longer to stop than the drain deadline (SHUTDOWN_TIMEOUT_MS + 10 s)', () => {
      const worker = all['worker'];
      assert.ok(worker);
      const shutdownMs = Number(environment(worker)['SHUTDOWN_TIMEOUT_MS'] ?? 30_000);
      const grace = seconds((worker['stop_grace_period'] as string | undefined) ?? '10s');
      assert.ok(grace > shutdownMs / 1000 + 10, `stop_grace_period ${grace}s`);
    });

    test('ports are published on 127.0.0.1 only; images are pinned', () => {
      for (const [name, service] of Object.entries(all)) {
        for (const port of (service['ports'] ?? []) as string[]) {
          assert.match(port, /^127\.0\.0\.1:/, `${name} publishes ${port} on every interface`);
        }
        const image = String(service['image']);
        assert.match(image, /:[\w.-]+$/, `${name}: ${image} has no tag`);
        assert.doesNotMatch(image, /:latest$/, `${name}: ${image}`);
      }
    });

    test('Prometheus loads the alert rules and scrapes the workers; Grafana finds its dashboards', () => {
      const prometheus = all['prometheus'];
      assert.ok(prometheus);
      const mounts = new Map(
        ((prometheus['volumes'] ?? []) as string[]).map((v) => {
          const [source = '', target = ''] = v.split(':');
          return [target, source] as const;
        }),
      );
      const configSource = mounts.get('/etc/prometheus/prometheus.yml');
      assert.ok(configSource, 'prometheus.yml is not mounted');
      const config = readYaml(join(repoRoot, configSource));
      for (const rules of (config['rule_files'] ?? []) as string[]) {
        const target = posix.resolve('/etc/prometheus', rules);
        assert.ok(mounts.has(target), `rule file ${rules} (${target}) is not mounted`);
      }
      // Every replica of the `worker` service on METRICS_PORT: by DNS SD or a static target.
      const port = Number(environment(all['worker'] ?? {})['METRICS_PORT']);
      const scrapesWorkers = ((config['scrape_configs'] ?? []) as Record<string, unknown>[]).some(
        (job) =>
          ((job['dns_sd_configs'] ?? []) as { names?: string[]; port?: number }[]).some(
            (sd) => sd.names?.includes('worker') === true && sd.port === port,
          ) ||
          ((job['static_configs'] ?? []) as { targets?: string[] }[]).some(
            (sc) => sc.targets?.includes(`worker:${port}`) === true,
          ),
      );
      assert.ok(scrapesWorkers, `no scrape job for worker:${port}`);

      const grafana = all['grafana'];
      assert.ok(grafana);
      const grafanaMounts = ((grafana['volumes'] ?? []) as string[]).map((v) => v.split(':'));
      const provider = grafanaMounts.find(([, t]) =>
        t?.startsWith('/etc/grafana/provisioning/dashboards/'),
      );
      assert.ok(provider?.[0], 'no dashboard provider mounted');
      const providerPath = at(readYaml(join(repoRoot, provider[0])), 'providers.0.options.path');
      const dashboards = grafanaMounts.find(([, t]) => t === providerPath);
      assert.ok(dashboards, `the provider reads ${String(providerPath)}, which is not mounted`);
      assert.ok(existsSync(join(repoRoot, dashboards[0] ?? '', 'hanzo-ingest.json')));
      const datasource = grafanaMounts.find(([, t]) => t?.includes('/provisioning/datasources/'));
      const url = at(readYaml(join(repoRoot, datasource?.[0] ?? '')), 'datasources.0.url');
      assert.match(String(url), /^http:\/\/prometheus:9090\/?$/);
    });

    test('the checks catch a broken file (schema)', () => {
      const broken = structuredClone(doc);
      const worker = at(broken, 'services.worker') as Record<string, unknown>;
      worker['restart_policy'] = 'always';
      worker['depends_on'] = 'kafka';
      assert.equal(validateCompose(broken), false);
      const errors = JSON.stringify(validateCompose.errors);
      assert.match(errors, /restart_policy/);
      assert.match(errors, /depends_on/);
    });
  });
}

describe('compose.cluster.yml: the HIP-47 clustered layout', () => {
  const all = services('compose.cluster.yml');
  const clusterDir = join(repoRoot, 'docker/clickhouse/cluster');
  const xml = (file: string): string => readFileSync(join(clusterDir, file), 'utf8');
  const texts = (text: string, tag: string): string[] =>
    [...text.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, 'g'))].map((m) => m[1] ?? '');
  const mountsOf = (service: Service): Map<string, string> =>
    new Map(
      ((service['volumes'] ?? []) as string[]).map((v) => {
        const [source = '', target = ''] = v.split(':');
        return [target, source] as const;
      }),
    );

  test('the XML files are well formed (balanced tags)', () => {
    for (const file of [
      'cluster.xml',
      'keeper.xml',
      'macros-0.xml',
      'macros-1.xml',
      'keeper-0.xml',
      'keeper-1.xml',
      'keeper-2.xml',
    ]) {
      const stack: string[] = [];
      const body = xml(file).replace(/<!--[\s\S]*?-->/g, '');
      for (const m of body.matchAll(/<(\/?)([A-Za-z_][\w.-]*)[^>]*?(\/?)>/g)) {
        if (m[3] === '/') continue;
        if (m[1] === '/')
          assert.equal(stack.pop(), m[2], `${file}: </${m[2]}> closes the wrong tag`);
        else stack.push(m[2] ?? '');
      }
      assert.deepEqual(stack, [], `${file}: unclosed tags`);
    }
  });

  test('2 replicas: remote_servers, macros and compose hostnames agree', () => {
    const cluster = xml('cluster.xml');
    const clusterName = /<remote_servers>\s*<([\w]+)>/.exec(cluster)?.[1];
    assert.equal(clusterName, 'hanzo_cluster');
    const hosts = texts(cluster, 'host').filter((h) => h.startsWith('clickhouse-'));
    assert.deepEqual(hosts, ['clickhouse-0', 'clickhouse-1']);
    const replicas = Object.entries(all).filter(([, s]) =>
      String(s['image']).startsWith('clickhouse/clickhouse-server:'),
    );
    assert.equal(replicas.length, 2);
    const replicaNames = new Set<string>();
    for (const [name, service] of replicas) {
      assert.ok(hosts.includes(String(service['hostname'])), name);
      const mounts = mountsOf(service);
      assert.equal(
        mounts.get('/etc/clickhouse-server/config.d/cluster.xml'),
        './docker/clickhouse/cluster/cluster.xml',
      );
      const macros = mounts.get('/etc/clickhouse-server/config.d/macros.xml');
      assert.ok(macros, `${name}: no macros`);
      const text = readFileSync(join(repoRoot, macros), 'utf8');
      assert.deepEqual(texts(text, 'cluster'), [clusterName]);
      assert.deepEqual(texts(text, 'shard'), ['01']);
      const [replica] = texts(text, 'replica');
      assert.equal(replica, service['hostname'], `${name}: {replica} macro`);
      assert.deepEqual(texts(text, 'interserver_http_host'), [service['hostname']]);
      replicaNames.add(replica ?? '');
      assert.ok('CLICKHOUSE_CLUSTER_SECRET' in environment(service), `${name}: cluster secret`);
    }
    assert.equal(replicaNames.size, 2, 'replica macros must differ');
    for (const [name, service] of Object.entries(all).filter(([, s]) => usesOurImage(s))) {
      assert.equal(environment(service)['CLICKHOUSE_CLUSTER'], clusterName, name);
    }
    assert.match(cluster, /<secret from_env="CLICKHOUSE_CLUSTER_SECRET"\s*\/>/);
  });

  test('3 Keeper nodes: distinct ids in the Raft configuration, reached by both replicas', () => {
    const keeper = xml('keeper.xml');
    const raftHosts = texts(keeper, 'hostname');
    const raftIds = texts(keeper, 'id');
    assert.deepEqual(raftHosts, ['keeper-0', 'keeper-1', 'keeper-2']);
    const zookeeperHosts = texts(xml('cluster.xml'), 'host').filter((h) => h.startsWith('keeper-'));
    assert.deepEqual(zookeeperHosts, raftHosts);
    const ids = new Set<string>();
    for (const host of raftHosts) {
      const service = all[host];
      assert.ok(service, `no service ${host}`);
      assert.equal(service['hostname'], host);
      const mounts = mountsOf(service);
      assert.equal(
        mounts.get('/etc/clickhouse-keeper/keeper_config.xml'),
        './docker/clickhouse/cluster/keeper.xml',
      );
      const idFile = mounts.get('/etc/clickhouse-keeper/keeper_config.d/server-id.xml');
      assert.ok(idFile, `${host}: no server id`);
      const [id] = texts(readFileSync(join(repoRoot, idFile), 'utf8'), 'server_id');
      assert.equal(
        id,
        raftIds[raftHosts.indexOf(host)],
        `${host}: server_id vs raft_configuration`,
      );
      ids.add(id ?? '');
    }
    assert.equal(ids.size, 3);
  });

  test('shared services run the same versions as compose.yml', () => {
    const single = services('compose.yml');
    for (const name of ['kafka', 'prometheus', 'grafana']) {
      assert.equal(all[name]?.['image'], single[name]?.['image'], name);
    }
    const server = (s: Record<string, Service>): string | undefined =>
      Object.values(s)
        .map((x) => String(x['image']))
        .find((i) => i.startsWith('clickhouse/clickhouse-server:'));
    assert.equal(server(all), server(single));
    const tag = server(all)?.split(':')[1] ?? '';
    assert.ok(Number(tag.split('.')[0]) >= 24, 'ClickHouse 24.x+ (HIP-47)');
    assert.equal(String(all['keeper-0']?.['image']).split(':')[1], tag, 'Keeper version = server');
  });
});

test('compose check helper: interpolation uses the defaults', () => {
  assert.equal(interpolate("'${CLICKHOUSE_PASSWORD:-hanzo}'"), "'hanzo'");
  assert.equal(interpolate('${UNSET}x'), 'x');
  const dir = mkdtempSync(join(tmpdir(), 'hanzo-compose-'));
  writeFileSync(join(dir, 'x'), '');
  assert.equal(seconds('40s'), 40);
});
