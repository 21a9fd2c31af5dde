import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { NODE_FLAGS, WORKER_HEAP_MAX_MIB } from '../demo/worker-env.ts';
import { validate, type ValidatorSettings } from 'dockerfile-utils';
import { BUNDLED_GEO_DATABASES } from '../../src/enrich/enrich-defaults.ts';
import { repoRoot } from './deploy-helpers.ts';

// docker/Dockerfile without Docker: dockerfile-utils' linter (every rule as an error), then
// what the image must do for this project: production dependencies only, non-root, a
// HEALTHCHECK on /healthz, the CLI as entry point, and a build context that holds what the
// COPY instructions need (.dockerignore is an allow-list).
const dockerfile = readFileSync(join(repoRoot, 'docker/Dockerfile'), 'utf8');
const STRICT: ValidatorSettings = {
  deprecatedMaintainer: 2,
  directiveCasing: 2,
  emptyContinuationLine: 2,
  instructionCasing: 2,
  instructionCmdMultiple: 2,
  instructionEntrypointMultiple: 2,
  instructionHealthcheckMultiple: 2,
  instructionJSONInSingleQuotes: 2,
  instructionWorkdirRelative: 2,
};

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

/** Instructions with continuation lines joined and comments dropped. */
function instructions(text: string): Instruction[] {
  const joined = text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

/** Instructions per build stage, the global ARGs (before the first FROM) as stage "global". */
function stages(list: readonly Instruction[]): Map<string, Instruction[]> {
  const out = new Map<string, Instruction[]>([['global', []]]);
  let current = 'global';
  list.forEach((ins, i) => {
    if (ins.keyword === 'FROM') {
      current = / AS (\S+)$/i.exec(ins.args)?.[1] ?? `final-${i}`;
      out.set(current, []);
    }
    out.get(current)?.push(ins);
  });
  return out;
}

const all = instructions(dockerfile);
const byStage = stages(all);
const finalStage = [...byStage.values()].at(-1) ?? [];
const args = (keyword: string, list: readonly Instruction[] = finalStage): string[] =>
  list.filter((i) => i.keyword === keyword).map((i) => i.args);
const globalArg = (name: string): string | undefined =>
  args('ARG', byStage.get('global'))
    .map((a) => /^(\w+)=(.*)$/.exec(a))
    .find((m) => m?.[1] === name)?.[2];

/** Docker's pattern syntax (Go filepath.Match plus `**`): `*` also matches dot files. */
function dockerGlob(pattern: string): RegExp {
  const body = pattern
    .split(/(\*\*\/?|\*|\?)/)
    .map((part) =>
      part.startsWith('**')
        ? '(?:.*/)?'
        : part === '*'
          ? '[^/]*'
          : part === '?'
            ? '[^/]'
            : part.replace(/[.+^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${body}$`);
}

/** .dockerignore semantics: last matching pattern wins; a pattern also matches parents. */
function inContext(path: string): boolean {
  const patterns = readFileSync(join(repoRoot, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const candidates = path.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'));
  let included = true;
  for (const raw of patterns) {
    const negated = raw.startsWith('!');
    const pattern = (negated ? raw.slice(1) : raw).replace(/\/$/, '');
    const glob = dockerGlob(pattern);
    if (candidates.some((c) => glob.test(c))) included = negated;
  }
  return included;
}

describe('docker/Dockerfile', () => {
  test('passes the dockerfile-utils linter with every rule as an error', () => {
    const problems = validate(dockerfile, STRICT).map(
      (d) => `line ${d.range.start.line + 1}: ${JSON.stringify(d.message)}`,
    );
    assert.deepEqual(problems, []);
  });

  test('the linter catches broken instructions', () => {
    const broken = dockerfile
      .replace('--interval=15s', '--interval=15')
      .replace('EXPOSE 9464', 'EXPOSE metrics')
      .replace('WORKDIR /app', 'WORKDIR app');
    const messages = validate(broken, STRICT).map((d) => JSON.stringify(d.message));
    assert.ok(messages.length >= 3, messages.join('\n'));
  });

  test('multi-stage: compiled in a build stage, production dependencies only at run time', () => {
    assert.ok(byStage.has('build') && byStage.has('prod-deps'), [...byStage.keys()].join());
    const prodRuns = args('RUN', byStage.get('prod-deps')).join('\n');
    assert.match(prodRuns, /npm ci --omit=dev\b/);
    const runs = args('RUN', all);
    assert.ok(!runs.some((r) => /\bnpm (install|i)\b/.test(r)), 'npm ci only: the lock decides');
    assert.match(args('RUN', byStage.get('build')).join('\n'), /tsc -p tsconfig\.build\.json/);
    const copies = args('COPY');
    assert.ok(copies.some((c) => /--from=prod-deps \/app\/node_modules/.test(c)));
    assert.ok(copies.some((c) => /--from=build \/src\/dist/.test(c)));
    assert.ok(!copies.some((c) => /--from=build \/src\/node_modules/.test(c)), 'no dev deps');
  });

  test('each stage\u2019s npm commands install from the lock (npm ci accepts it, run as the Dockerfile does)', async () => {
    // The commands of each stage's RUN up to the first one that is not npm, run on a copy of
    // package.json and the lock; `--dry-run --prefer-offline` checks the lock against package.json
    // (what refused the build before) without downloading.
    const npmCommands = (stage: string): string[][] =>
      args('RUN', byStage.get(stage))
        .flatMap((r) => r.replace(/^--mount=\S+\s+/, '').split('&&'))
        .map((c) => c.trim().split(/\s+/))
        .filter((words) => words[0] === 'npm' && words[1] !== 'ls');
    const runIn = async (dir: string, commands: string[][]): Promise<void> => {
      for (const [, ...rest] of commands) {
        const dry = rest[0] === 'ci' ? ['--dry-run', '--prefer-offline'] : [];
        await promisify(execFile)('npm', [...rest, ...dry], { cwd: dir });
      }
    };
    const copyManifests = (): string => {
      const dir = mkdtempSync(join(tmpdir(), 'hanzo-npm-ci-'));
      for (const f of ['package.json', 'package-lock.json'])
        copyFileSync(join(repoRoot, f), join(dir, f));
      return dir;
    };
    for (const stage of ['build', 'prod-deps']) {
      const commands = npmCommands(stage);
      assert.ok(
        commands.some((c) => c[1] === 'ci'),
        `${stage}: npm ci`,
      );
      await runIn(copyManifests(), commands);
    }
    // Why chdb is dropped first: with it, npm ci refuses the lock (chdb's other-platform
    // engines are not in it, and the registry does not serve them).
    const withChdb = npmCommands('prod-deps').filter((c) => c[1] !== 'pkg');
    await assert.rejects(runIn(copyManifests(), withChdb), /@chdb\/lib-/);
  });

  test('Node 24 LTS base images; the runtime image is distroless and runs as non-root', () => {
    assert.match(globalArg('NODE_IMAGE') ?? '', /^node:24[.-]/);
    assert.match(globalArg('RUNTIME_IMAGE') ?? '', /^gcr\.io\/distroless\/nodejs24-/);
    const user = args('USER').at(-1) ?? '';
    assert.match(user, /^\d+(:\d+)?$/, 'numeric user, so runAsNonRoot can verify it');
    assert.notEqual(Number(user.split(':')[0]), 0);
  });

  test('HEALTHCHECK asks /healthz on METRICS_PORT (default 9464, exposed)', () => {
    const [healthcheck] = args('HEALTHCHECK');
    assert.ok(healthcheck);
    assert.match(healthcheck, /CMD \["\/nodejs\/bin\/node"/);
    assert.match(healthcheck, /process\.env\.METRICS_PORT \|\| 9464/);
    assert.match(healthcheck, /\/healthz/);
    assert.ok(args('EXPOSE').includes('9464'));
    assert.ok(args('ENV').some((e) => /METRICS_PORT=9464/.test(e)));
  });

  test('the entry point is the CLI of package.json "bin"; the default command runs the worker', () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
    };
    const entrypoint = JSON.parse(args('ENTRYPOINT')[0] ?? '[]') as string[];
    assert.equal(entrypoint[0], '/nodejs/bin/node');
    assert.equal(entrypoint.at(-1), `/app/${pkg.bin['hanzo-ingest']}`);
    assert.deepEqual(JSON.parse(args('CMD')[0] ?? '[]'), ['run']);
    assert.deepEqual(args('WORKDIR'), ['/app'], 'topics/ and the Avro schema resolve from /app');
  });

  test('the image caps the V8 heap on node\u2019s command line, whatever NODE_OPTIONS is given', async () => {
    const entrypoint = JSON.parse(args('ENTRYPOINT')[0] ?? '[]') as string[];
    const flags = entrypoint.slice(1, -1);
    assert.deepEqual(flags, [...NODE_FLAGS]);
    assert.ok(flags.includes(`--max-old-space-size=${WORKER_HEAP_MAX_MIB}`), flags.join(' '));
    assert.ok(!all.some((i) => i.args.includes('NODE_OPTIONS')), 'NODE_OPTIONS is the user\u2019s');
    // Node applies its command-line flags after NODE_OPTIONS: the cap holds whatever is there.
    const heapMiB = async (nodeOptions: string): Promise<number> => {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [...flags, '-p', "require('node:v8').getHeapStatistics().heap_size_limit"],
        { env: { PATH: process.env['PATH'] ?? '', NODE_OPTIONS: nodeOptions } },
      );
      return Number(stdout) / 2 ** 20;
    };
    const capped = await heapMiB('');
    // heap_size_limit is the old-space cap plus the young generation (192 MiB on Node 24).
    assert.ok(capped >= WORKER_HEAP_MAX_MIB && capped <= WORKER_HEAP_MAX_MIB + 256, `${capped}`);
    for (const nodeOptions of [
      '--enable-source-maps',
      '--max-old-space-size=64',
      '--max-old-space-size=4096 --enable-source-maps',
      '--max-semi-space-size=64',
    ]) {
      assert.equal(await heapMiB(nodeOptions), capped, `NODE_OPTIONS=${nodeOptions}`);
    }
  });

  test('the geo databases the image keeps are the ones the worker loads by default', () => {
    assert.equal(globalArg('GEO_DATABASES'), BUNDLED_GEO_DATABASES.join(','));
    assert.ok(args('ENV').some((e) => e.includes('ENRICH_GEO_DATABASES=${GEO_DATABASES}')));
    for (const entry of BUNDLED_GEO_DATABASES) {
      assert.ok(existsSync(join(repoRoot, 'node_modules', entry.replace(/^npm:/, ''))), entry);
    }
  });

  test('every COPY from the build context exists and is not excluded by .dockerignore', () => {
    const sources = all
      .filter((i) => i.keyword === 'COPY' && !i.args.includes('--from='))
      .flatMap((i) =>
        i.args
          .split(/\s+/)
          .filter((w) => !w.startsWith('--'))
          .slice(0, -1),
      );
    assert.ok(sources.length >= 6, sources.join());
    for (const source of sources) {
      assert.ok(existsSync(join(repoRoot, source)), `${source} does not exist`);
      assert.ok(inContext(source), `${source} is excluded from the build context`);
    }
    for (const secretish of [
      '.git/config',
      'node_modules/kafkajs/package.json',
      '.stack/local/env',
      'dist/src/cli/main.js',
      'test/run.ts',
    ]) {
      assert.ok(!inContext(secretish), `${secretish} should stay out of the build context`);
    }
  });
});
