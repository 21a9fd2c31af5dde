/**
 * `npm run bench`: end-to-end throughput of the worker on the local stack.
 * Preloads Kafka with a realistic backlog, then times one worker process draining it into
 * ClickHouse; repeated, medians reported. Figures go to stdout and, with `--json <file>`,
 * to a JSON file.
 *
 *   BENCH_EVENTS=200000 BENCH_REPEAT=3 npm run bench -- --json bench-results.json
 */
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { SampleEventGenerator } from '../../src/demo/sample-events.ts';
import { CLI_ENTRY, NODE_FLAGS, localWorkerEnv } from '../../src/demo/worker-env.ts';
import { startStack } from '../../src/stack/local-stack.ts';
import { spawnManaged } from '../../src/stack/process/managed-process.ts';

const { values: flags } = parseArgs({ options: { json: { type: 'string' } } });
const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 200_000);
const REPEAT = Number(process.env['BENCH_REPEAT'] ?? 3);
const PARTITIONS = Number(process.env['BENCH_PARTITIONS'] ?? 6);
const BATCH_ROWS = process.env['BENCH_BATCH_ROWS'] ?? '50000';

const dir = mkdtempSync(join(tmpdir(), 'hanzo-bench-'));
const stack = await startStack({ dir });
const kafka = new Kafka({
  clientId: 'bench',
  brokers: [...stack.kafka.brokers],
  logLevel: logLevel.NOTHING,
});
const clickhouse = createClient({
  url: stack.clickhouse.url,
  log: { level: ClickHouseLogLevel.OFF },
});

interface Run {
  events: number;
  drainSeconds: number;
  eventsPerSecond: number;
  totalSeconds: number;
  peakRssMiB: number;
  cpuSeconds: number;
}

try {
  const topic = 'bench_events';
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [
      { topic, numPartitions: PARTITIONS },
      { topic: 'bench_dlq', numPartitions: 1 },
    ],
  });
  await admin.disconnect();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const generator = new SampleEventGenerator({ seed: 8 });
  let bytes = 0;
  for (let sent = 0; sent < EVENTS; sent += 5_000) {
    const messages = Array.from({ length: Math.min(5_000, EVENTS - sent) }, () => {
      const e = generator.next();
      const value = JSON.stringify(e);
      bytes += value.length;
      return { key: e.distinct_id, value };
    });
    await producer.send({ topic, messages });
  }
  await producer.disconnect();
  console.log(
    `preloaded ${EVENTS} events (${(bytes / EVENTS).toFixed(0)} bytes/event avg) into ${PARTITIONS} partitions`,
  );

  const runs: Run[] = [];
  for (let r = 1; r <= REPEAT; r++) runs.push(await drainOnce(topic, `bench_${r}`, r));
  const median = (pick: (run: Run) => number): number => {
    const sorted = runs.map(pick).sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)] ?? 0;
  };
  const summary = {
    date: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
    },
    stack: {
      kafka: stack.kafka.version,
      clickhouse: stack.clickhouse.version,
      provider: stack.provider,
    },
    settings: {
      events: EVENTS,
      partitions: PARTITIONS,
      batchMaxRows: Number(BATCH_ROWS),
      workers: 1,
      enrichment: 'none (pass-through stage)',
    },
    runs,
    median: {
      eventsPerSecond: Math.round(median((x) => x.eventsPerSecond)),
      drainSeconds: median((x) => x.drainSeconds),
      peakRssMiB: median((x) => x.peakRssMiB),
      cpuSecondsPerMillion: Math.round((median((x) => x.cpuSeconds) / EVENTS) * 1e6),
    },
  };
  console.table(runs);
  console.log(
    `median: ${summary.median.eventsPerSecond} events/s end to end (1 worker), peak RSS ${summary.median.peakRssMiB} MiB, ${summary.median.cpuSecondsPerMillion} worker CPU s per million events`,
  );
  if (flags.json !== undefined) writeFileSync(flags.json, `${JSON.stringify(summary, null, 2)}\n`);
} finally {
  await clickhouse.close();
  await stack.stop();
  rmSync(dir, { recursive: true, force: true });
}

/** One worker drains the whole backlog into a fresh table with a fresh group. */
async function drainOnce(topic: string, name: string, run: number): Promise<Run> {
  const started = Date.now();
  const worker = spawnManaged(process.execPath, [...NODE_FLAGS, CLI_ENTRY, 'run'], {
    name,
    logFile: join(dir, `${name}.log`),
    env: localWorkerEnv(stack.env(), {
      KAFKA_TOPICS: topic,
      KAFKA_DLQ_TOPIC: 'bench_dlq',
      KAFKA_GROUP_ID: name,
      CLICKHOUSE_TABLE: name,
      BATCH_MAX_ROWS: BATCH_ROWS,
      LOG_LEVEL: 'warn',
    }),
  });
  let firstAt = 0;
  let firstCount = 0;
  let count = 0;
  let peakRss = 0;
  while (count < EVENTS) {
    await new Promise((r) => setTimeout(r, 100));
    peakRss = Math.max(peakRss, rssKiB(worker.pid));
    const rs = await clickhouse
      .query({ query: `SELECT count() AS n FROM ${name}`, format: 'JSONEachRow' })
      .catch(() => undefined);
    count = Number((await rs?.json<{ n: string }>())?.[0]?.n ?? 0);
    if (count > 0 && firstAt === 0) {
      firstAt = Date.now();
      firstCount = count;
    }
    if (Date.now() - started > 600_000)
      throw new Error(`run ${run}: only ${count}/${EVENTS} after 10 minutes`);
  }
  const done = Date.now();
  const cpuSeconds = cpuSecondsOf(worker.pid);
  peakRss = Math.max(peakRss, hwmKiB(worker.pid));
  await worker.stop();
  const drainSeconds = (done - firstAt) / 1000;
  return {
    events: EVENTS,
    drainSeconds: Number(drainSeconds.toFixed(2)),
    eventsPerSecond: Math.round((EVENTS - firstCount) / Math.max(drainSeconds, 0.001)),
    totalSeconds: Number(((done - started) / 1000).toFixed(2)),
    peakRssMiB: Math.round(peakRss / 1024),
    cpuSeconds: Number(cpuSeconds.toFixed(2)),
  };
}

function statusField(pid: number, field: string): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(
      readFileSync(`/proc/${pid}/status`, 'utf8'),
    );
    return Number(match?.[1] ?? 0);
  } catch {
    return 0;
  }
}
function rssKiB(pid: number): number {
  return statusField(pid, 'VmRSS');
}
function hwmKiB(pid: number): number {
  return statusField(pid, 'VmHWM');
}

function cpuSecondsOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks (100 Hz)
  } catch {
    return 0;
  }
}
