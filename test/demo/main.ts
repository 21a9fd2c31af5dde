/**
 * `npm run demo`: the main job on the local stack, end to end and real, as a user would run it.
 * Starts Apache Kafka and ClickHouse, creates the topics from topics/*.json with
 * `hanzo-ingest topics apply`, creates the HIP-47 schema with `hanzo-ingest migrate up`, runs
 * two worker processes in one consumer group, produces a stream of events that exercises
 * every enrichment (with malformed ones of several kinds), waits until the group has
 * committed everything (landed or dead-lettered), prints what the HIP-47 tables and the
 * dead-letter topic hold, checked against what was produced, then stops everything. Ctrl-C
 * stops it early and still cleans up. Exits 1 when a check fails.
 *
 *   DEMO_EVENTS=50000 DEMO_RATE=10000 DEMO_WORKERS=2 npm run demo
 */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createClient } from '@clickhouse/client';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { startStack } from '../stack/local-stack.ts';
import { spawnManaged, type ManagedProcess } from '../stack/process/managed-process.ts';
import { DemoEventStream } from './demo-events.ts';
import { produceDemoEvents } from './produce-demo-events.ts';
import { buildReport } from './report.ts';
import { waitUntilConsumed } from './wait-until-consumed.ts';
import { CLI_ENTRY, NODE_FLAGS, localWorkerEnv } from './worker-env.ts';

const EVENTS = Number(process.env['DEMO_EVENTS'] ?? 50_000);
const RATE = Number(process.env['DEMO_RATE'] ?? 10_000);
const WORKERS = Number(process.env['DEMO_WORKERS'] ?? 2);
/** One message in 500 is malformed on purpose: it must reach the DLQ, not block anything. */
const MALFORMED_EVERY = 500;
/** Event times spread over the last three hours: a few rows in events_hourly. */
const SPAN_MS = 3 * 60 * 60 * 1000;
const TOPIC = 'hanzo_events';
const DLQ = 'hanzo_events_dlq';
const GROUP = 'hanzo-ingest';
const execFileAsync = promisify(execFile);
const dir = join(process.cwd(), '.stack', 'demo');

const log = (text: string): void => console.log(`[demo] ${text}`);
rmSync(dir, { recursive: true, force: true });
log('starting Apache Kafka (KRaft) and ClickHouse (chDB over HTTP)...');
const stack = await startStack({ dir });
const workers: ManagedProcess[] = [];
let cleaning: Promise<void> | undefined;
const cleanUp = (): Promise<void> =>
  (cleaning ??= (async () => {
    await Promise.all(workers.map((w) => w.stop(30_000)));
    await stack.stop();
  })());
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    log(`${signal}: stopping workers and the stack`);
    void cleanUp().then(() => process.exit(130));
  });
}

try {
  const env = stack.env();
  log(
    `stack ready: ${Object.entries(env)
      .filter(([k]) => !k.includes('PASSWORD'))
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`,
  );
  /** `hanzo-ingest <args>`, as a user would run it; its output in the demo's log. */
  const cli = async (...args: string[]): Promise<void> => {
    const { stdout } = await execFileAsync(process.execPath, [...NODE_FLAGS, CLI_ENTRY, ...args], {
      env: localWorkerEnv(env, { LOG_LEVEL: 'warn' }),
    });
    for (const line of stdout.trimEnd().split('\n')) log(`hanzo-ingest ${args.join(' ')}: ${line}`);
  };
  // The topic files (topics/*.json), with the replication factor a single broker allows.
  await cli('topics', 'apply', '--replication-factor', '1');
  // The HIP-47 schema: events and its rollups (sessions, events_hourly, token_usage_daily).
  await cli('migrate', 'up');

  for (let i = 1; i <= WORKERS; i++) {
    const name = `worker-${i}`;
    workers.push(
      spawnManaged(process.execPath, [...NODE_FLAGS, CLI_ENTRY, 'run'], {
        name,
        logFile: join(dir, `${name}.log`),
        env: localWorkerEnv(env, {
          INGEST_WORKER_ID: name,
          KAFKA_TOPICS: TOPIC,
          KAFKA_DLQ_TOPIC: DLQ,
          KAFKA_GROUP_ID: GROUP,
          // The schema is `migrate up`'s job here, as in a deployment that migrates first.
          CLICKHOUSE_MIGRATE_ON_START: 'false',
        }),
      }),
    );
  }
  log(`${WORKERS} workers started (logs in ${dir})`);

  const kafka = new Kafka({
    clientId: 'hanzo-demo',
    brokers: [...stack.kafka.brokers],
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    idempotent: true,
  });
  await producer.connect();
  const stream = new DemoEventStream({
    seed: Date.now() % 100_000,
    malformedEvery: MALFORMED_EVERY,
    spanMs: SPAN_MS,
  });
  const started = Date.now();
  await produceDemoEvents(producer, stream, { topic: TOPIC, count: EVENTS, rate: RATE });
  await producer.disconnect();
  const { good, withContent, malformedByReason } = stream.tally;
  log(
    `produced ${EVENTS} events in ${((Date.now() - started) / 1000).toFixed(1)} s: ${good} good (${withContent} LLM requests with prompts to scrub), ${stream.malformed} malformed (${[...malformedByReason].map(([r, n]) => `${n} ${r}`).join(', ')})`,
  );

  const behind = await waitUntilConsumed(kafka, GROUP, TOPIC, 180_000);
  log(
    behind === 0
      ? `every message landed or dead-lettered and committed ${((Date.now() - started) / 1000).toFixed(1)} s after the first was produced`
      : `gave up waiting: ${behind} messages not committed after 180 s (see the worker logs)`,
  );
  const clickhouse = createClient({
    url: stack.clickhouse.url,
    username: stack.clickhouse.username,
    password: stack.clickhouse.password,
  });
  try {
    const report = await buildReport(clickhouse, kafka, DLQ, stream.tally);
    console.log(report.text);
    if (!report.ok || behind > 0) process.exitCode = 1;
  } finally {
    await clickhouse.close();
  }
} catch (err) {
  console.error('[demo] failed:', err);
  process.exitCode = 1;
} finally {
  await cleanUp();
  log('stopped workers, Kafka and ClickHouse');
}
