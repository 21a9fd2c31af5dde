import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { builtinModules } from 'node:module';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { freePort } from '../../stack/process/free-port.ts';
import { spawnManaged, type ManagedProcess } from '../../stack/process/managed-process.ts';
import { createEventsTable, queryRows, testClickHouse } from '../../support/clickhouse.ts';
import { jsonEvents } from '../../support/events.ts';
import {
  createTopics,
  logEndOffsets,
  produce,
  readDeadLetters,
  testKafka,
} from '../../support/kafka.ts';
import { testStack, uniqueName, waitFor } from '../../support/stack-env.ts';
import { listFiles } from '../../static/deploy-helpers.ts';

// The container image without Docker: the same files docker/Dockerfile puts in /app
// (package.json, dist/ compiled by tsconfig.build.json, schemas/, topics/, node_modules/),
// run the way its ENTRYPOINT runs them. The worker, the sample producer and the HEALTHCHECK
// command (read from the Dockerfile) work from that layout alone, against the test stack.
const root = join(import.meta.dirname, '../../..');
const run = promisify(execFile);
const dockerfile = readFileSync(join(root, 'docker/Dockerfile'), 'utf8');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
  dependencies: Record<string, string>;
};

/** The HEALTHCHECK's exec form, with the distroless node path mapped to ours. */
function healthcheckCommand(): string[] {
  const line = /HEALTHCHECK[^\n]*\\\n\s*CMD (\[.*\])/.exec(dockerfile)?.[1];
  assert.ok(line, 'no HEALTHCHECK CMD in the Dockerfile');
  const argv = JSON.parse(line) as string[];
  assert.equal(argv[0], '/nodejs/bin/node');
  return [process.execPath, ...argv.slice(1)];
}

async function healthcheck(port: number): Promise<number> {
  const [bin = '', ...args] = healthcheckCommand();
  return run(bin, args, { env: { METRICS_PORT: String(port) }, timeout: 10_000 }).then(
    () => 0,
    (err: { code?: number }) => err.code ?? -1,
  );
}

describe('the image layout (/app) runs the worker, the producer and the HEALTHCHECK', () => {
  const stack = testStack();
  const kafka = testKafka();
  const clickhouse = testClickHouse();
  const app = mkdtempSync(join(tmpdir(), 'hanzo-image-'));
  const entry = join(app, pkg.bin['hanzo-ingest'] ?? '');
  const processes: ManagedProcess[] = [];

  before(async () => {
    await run(
      join(root, 'node_modules/.bin/tsc'),
      ['-p', join(root, 'tsconfig.build.json'), '--outDir', join(app, 'dist')],
      { cwd: root, maxBuffer: 16 << 20 },
    );
    writeFileSync(join(app, 'package.json'), readFileSync(join(root, 'package.json')));
    for (const dir of ['schemas', 'topics', 'node_modules']) {
      symlinkSync(join(root, dir), join(app, dir));
    }
  });

  after(async () => {
    await Promise.all(processes.map((p) => p.stop(5_000)));
    await clickhouse.close();
    rmSync(app, { recursive: true, force: true });
  });

  const imageEnv = (extra: Record<string, string>): NodeJS.ProcessEnv => ({
    PATH: process.env['PATH'] ?? '',
    NODE_ENV: 'production',
    KAFKA_BROKERS: stack.brokers.join(','),
    CLICKHOUSE_URL: stack.clickhouse.url,
    CLICKHOUSE_USER: stack.clickhouse.username,
    CLICKHOUSE_PASSWORD: stack.clickhouse.password,
    LOG_LEVEL: 'info',
    ...extra,
  });

  test('the compiled code imports only production dependencies and Node built-ins', () => {
    const builtins = new Set(builtinModules);
    const foreign = new Set<string>();
    const used = new Set<string>();
    for (const file of listFiles(join(app, 'dist'), '.js')) {
      const text = readFileSync(file, 'utf8');
      const specs = [
        ...text.matchAll(/^\s*(?:import|export)\b[^;'"]*?\sfrom\s*['"]([^'"]+)['"]/gm),
        ...text.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm),
        ...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
      ].map((m) => m[1] ?? '');
      for (const spec of specs) {
        if (spec.startsWith('.') || spec.startsWith('node:') || builtins.has(spec)) continue;
        const name = spec.startsWith('@')
          ? spec.split('/').slice(0, 2).join('/')
          : spec.split('/')[0];
        if (name !== undefined) used.add(name);
        if (name !== undefined && pkg.dependencies[name] === undefined) {
          foreign.add(`${name} (${file.slice(app.length)})`);
        }
      }
    }
    assert.deepEqual([...foreign], [], 'imported at run time but not a production dependency');
    for (const name of ['kafkajs', '@clickhouse/client', 'zod']) assert.ok(used.has(name), name);
  });

  test('subcommands run from /app: check-config, and --help lists every command', async () => {
    const { stdout } = await run(process.execPath, [entry, 'check-config'], {
      cwd: app,
      env: imageEnv({}),
    });
    assert.equal(
      (JSON.parse(stdout) as { kafka: { groupId: string } }).kafka.groupId,
      'hanzo-ingest',
    );
    const help = await run(process.execPath, [entry, '--help'], { cwd: app, env: imageEnv({}) });
    for (const command of [
      'run',
      'check-config',
      'migrate',
      'topics',
      'lag',
      'dlq',
      'produce-sample',
    ]) {
      assert.match(help.stdout, new RegExp(`\\n  ${command}\\b`), `no ${command} command`);
    }
  });

  test('worker + sample producer from the layout: events land, HEALTHCHECK follows the worker', async () => {
    const topic = uniqueName('image');
    const dlq = `${topic}_dlq`;
    const table = uniqueName('image');
    await createTopics(kafka, [
      { topic, partitions: 3 },
      { topic: dlq, partitions: 1 },
    ]);
    await createEventsTable(clickhouse, table);
    const port = await freePort();
    const env = imageEnv({
      KAFKA_TOPICS: topic,
      KAFKA_DLQ_TOPIC: dlq,
      KAFKA_GROUP_ID: uniqueName('group'),
      CLICKHOUSE_TABLE: table,
      METRICS_PORT: String(port),
      BATCH_MAX_AGE_MS: '500',
      INGEST_WORKER_ID: 'image-worker',
    });
    assert.notEqual(await healthcheck(port), 0, 'nothing listens yet');
    const logDir = process.env['HANZO_TEST_DIR'] ?? app;
    const worker = spawnManaged(
      process.execPath,
      ['--disable-warning=TimeoutNegativeWarning', entry, 'run'],
      {
        name: 'image-worker',
        logFile: join(logDir, 'image-worker.log'),
        cwd: app,
        env,
      },
    );
    processes.push(worker);
    await waitFor(async () => (await healthcheck(port)) === 0, {
      timeoutMs: 60_000,
      what: 'the HEALTHCHECK to pass',
    });

    const producer = spawn(
      process.execPath,
      [entry, 'produce-sample', '--count', '300', '--rate', '1000', '--malformed-every', '100'],
      { cwd: app, env: { ...env, METRICS_PORT: '0' }, stdio: 'ignore' },
    );
    const produced = await new Promise<number | null>((resolve) => producer.on('exit', resolve));
    assert.equal(produced, 0, 'produce-sample exits 0 after --count');
    const ends = await logEndOffsets(kafka, topic);
    assert.equal(
      [...ends.values()].reduce((a, b) => a + b, 0),
      300,
    );

    const landed = await waitFor(
      async () => {
        const [row] = await queryRows<{ n: string | number }>(
          clickhouse,
          `SELECT count() AS n FROM ${table}`,
        );
        return Number(row?.n) === 297 ? 297 : undefined;
      },
      { timeoutMs: 60_000, what: '297 good events in ClickHouse' },
    );
    assert.equal(landed, 297);
    const dlqEnds = await waitFor(
      async () => {
        // Records as readers see them (the log end also counts transaction markers), by source.
        const n = (await readDeadLetters(kafka, dlq)).length;
        return n === 3 ? n : undefined;
      },
      { timeoutMs: 60_000, what: '3 malformed events in the DLQ' },
    );
    assert.equal(dlqEnds, 3);

    await worker.stop(30_000);
    assert.equal(await worker.exited, 0, 'SIGTERM drains and exits 0');
    assert.notEqual(await healthcheck(port), 0, 'the HEALTHCHECK fails once the worker is gone');
  });

  test('a wrong ClickHouse password is reported without printing it', async () => {
    const secret = 'wrong-pw-3f7a91-marker';
    const topic = uniqueName('image_auth');
    const table = uniqueName('image_auth');
    await createTopics(kafka, [
      { topic, partitions: 1 },
      { topic: `${topic}_dlq`, partitions: 1 },
    ]);
    await createEventsTable(clickhouse, table);
    await produce(kafka, topic, jsonEvents(20, 1, 5).messages);
    const logFile = join(process.env['HANZO_TEST_DIR'] ?? app, 'image-bad-password.log');
    const worker = spawnManaged(process.execPath, [entry, 'run'], {
      name: 'image-bad-password',
      logFile,
      cwd: app,
      env: imageEnv({
        CLICKHOUSE_PASSWORD: secret,
        CLICKHOUSE_TABLE: table,
        KAFKA_TOPICS: topic,
        KAFKA_DLQ_TOPIC: `${topic}_dlq`,
        KAFKA_GROUP_ID: uniqueName('group'),
        BATCH_MAX_AGE_MS: '300',
        INSERT_RETRY_INITIAL_MS: '200',
        INSERT_RETRY_MAX_MS: '500',
        METRICS_PORT: '0',
      }),
    });
    processes.push(worker);
    await waitFor(
      async () =>
        /AUTHENTICATION_FAILED|Authentication failed|password is incorrect/i.test(
          readFileSync(logFile, 'utf8'),
        ),
      { timeoutMs: 60_000, what: 'the authentication failure in the log' },
    );
    // A failed start-up exits by itself (nothing left running keeps it alive), non-zero. The
    // bound is a failure bound for a hang, not how long closing its clients takes.
    const code = await Promise.race([
      worker.exited,
      new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 90_000)),
    ]);
    await worker.stop(10_000);
    assert.equal(code, 1, 'the worker exits with 1 after a start-up failure');
    const log = readFileSync(logFile, 'utf8');
    assert.ok(!log.includes(secret), log);
    const [row] = await queryRows<{ n: string | number }>(
      clickhouse,
      `SELECT count() AS n FROM ${table}`,
    );
    assert.equal(Number(row?.n), 0, 'nothing was written with the wrong password');
  });
});
