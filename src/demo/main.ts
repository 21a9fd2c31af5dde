/**
 * `npm run demo`: the main job on the local stack, end to end and real.
 * Starts Apache Kafka and ClickHouse, creates the topics from topics/*.json with
 * `hanzo-ingest topics apply`, runs two worker processes in one consumer group, produces a
 * stream of realistic events (with a few malformed ones), waits until everything has landed
 * or been dead-lettered, prints what ClickHouse holds, then stops everything. Ctrl-C stops
 * it early and still cleans up.
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
import { SampleEventGenerator } from './sample-events.ts';
import { CLI_ENTRY, NODE_FLAGS, localWorkerEnv } from './worker-env.ts';
import { printReport } from './report.ts';

const EVENTS = Number(process.env['DEMO_EVENTS'] ?? 50_000);
const RATE = Number(process.env['DEMO_RATE'] ?? 10_000);
const WORKERS = Number(process.env['DEMO_WORKERS'] ?? 2);
const run = promisify(execFile);
const TOPIC = 'hanzo_events';
const DLQ = 'hanzo_events_dlq';
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
  const kafka = new Kafka({
    clientId: 'hanzo-demo',
    brokers: [...stack.kafka.brokers],
    logLevel: logLevel.NOTHING,
  });
  // As a user would: the topic files (topics/*.json) applied by the CLI, with the
  // replication factor a single-broker cluster allows.
  const apply = await run(
    process.execPath,
    [...NODE_FLAGS, CLI_ENTRY, 'topics', 'apply', '--replication-factor', '1'],
    { env: localWorkerEnv(env) },
  );
  for (const line of apply.stdout.trimEnd().split('\n')) log(line);

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
        }),
      }),
    );
  }
  log(`${WORKERS} workers started (logs in ${dir})`);

  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    idempotent: true,
  });
  await producer.connect();
  const generator = new SampleEventGenerator({ seed: Date.now() % 100_000 });
  const started = Date.now();
  let malformed = 0;
  const chunk = Math.max(100, Math.floor(RATE / 10));
  for (let sent = 0; sent < EVENTS; sent += chunk) {
    const messages = Array.from({ length: Math.min(chunk, EVENTS - sent) }, (_, i) => {
      const event = generator.next();
      // One event in 500 is malformed on purpose: it must reach the DLQ, not block anything.
      if ((sent + i) % 500 === 499) {
        malformed++;
        return {
          key: event.distinct_id,
          value: `{"team_id": "not-a-number", "event": "${event.event}"`,
        };
      }
      return { key: event.distinct_id, value: JSON.stringify(event) };
    });
    await producer.send({ topic: TOPIC, acks: -1, messages });
    const ahead = ((sent + messages.length) / RATE) * 1000 - (Date.now() - started);
    if (ahead > 0) await new Promise((r) => setTimeout(r, ahead));
  }
  await producer.disconnect();
  const produceSeconds = (Date.now() - started) / 1000;
  log(`produced ${EVENTS} events (${malformed} malformed) in ${produceSeconds.toFixed(1)} s`);

  const clickhouse = createClient({
    url: stack.clickhouse.url,
    username: stack.clickhouse.username,
    password: stack.clickhouse.password,
  });
  const expected = EVENTS - malformed;
  let landed = 0;
  for (let waited = 0; waited < 120_000 && landed < expected; waited += 500) {
    await new Promise((r) => setTimeout(r, 500));
    const rs = await clickhouse
      .query({ query: 'SELECT count() AS n FROM events', format: 'JSONEachRow' })
      .catch(() => undefined);
    landed = Number((await rs?.json<{ n: string }>())?.[0]?.n ?? 0);
  }
  log(
    `${landed}/${expected} events landed ${((Date.now() - started) / 1000).toFixed(1)} s after the first was produced`,
  );
  await printReport(clickhouse, kafka, DLQ);
  await clickhouse.close();
  if (landed !== expected) process.exitCode = 1;
} catch (err) {
  console.error('[demo] failed:', err);
  process.exitCode = 1;
} finally {
  await cleanUp();
  log('stopped workers, Kafka and ClickHouse');
}
