import { setTimeout as sleep } from 'node:timers/promises';
import { WORKER_HEAP_MAX_MIB } from '../../demo/worker-env.ts';
import { freePort } from '../../stack/process/free-port.ts';
import { logEndOffsets } from '../../support/kafka.ts';
import { gaugeValue, WorkerGaugeWatch } from '../harness/metrics-scrape.ts';
import { procStatusKiB } from '../harness/proc-status.ts';
import type { Check, Scenario } from '../harness/scenario.ts';
import { scaled } from '../harness/scenario.ts';
import { Trial } from '../harness/trial.ts';

const MiB = 1024 * 1024;
const INSERT_LATENCY_MS = 5_000;
const MAX_BUFFERED = 32 * MiB;
const FETCH_MAX = 16 * MiB;

/**
 * 10. Backpressure: every request to ClickHouse takes 5 s (proxy latency) while producers
 * write as fast as they can. Workers insert far slower than they could consume; they must
 * pause partitions and leave the backlog in Kafka, holding at most INGEST_MAX_BUFFERED_BYTES
 * of batches. The bound checked on each worker's peak RSS (VmHWM): its RSS when idle, plus
 * the room its V8 heap may still grow into (the heap cap every worker runs with,
 * WORKER_HEAP_MAX_MIB as --max-old-space-size, minus the
 * heap it had when idle: V8 collects lazily, so the garbage of every decoded message fills
 * whatever room it is given), plus INGEST_MAX_BUFFERED_BYTES and one fetch response
 * (KAFKA_FETCH_MAX_BYTES) outside the heap.
 */
export const backpressure: Scenario = {
  name: 'backpressure',
  fault: 'every ClickHouse request delayed 5 s; producers at full rate',
  async run(env) {
    const trial = await Trial.open(env, {
      name: 'backpressure',
      proxied: true,
      workerEnv: {
        INGEST_MAX_BUFFERED_BYTES: String(MAX_BUFFERED),
        BATCH_MAX_BYTES: String(8 * MiB),
        BATCH_MAX_ROWS: '5000',
        BATCH_MAX_AGE_MS: '2000',
        INSERT_MAX_IN_FLIGHT: '2',
        KAFKA_FETCH_MAX_BYTES: String(FETCH_MAX),
        KAFKA_FETCH_MAX_BYTES_PER_PARTITION: String(4 * MiB),
      },
    });
    const proxy = trial.proxy;
    try {
      const ports = [await freePort(), await freePort()];
      const workers = ports.map((port) => trial.fleet.start({ METRICS_PORT: String(port) }));
      const gauges = new WorkerGaugeWatch(ports);
      // Idle RSS once the workers are up and have joined (the first insert waits for data).
      await sleep(15_000);
      const idleKiB = Math.max(...workers.map((w) => procStatusKiB(w.process.pid, 'VmRSS')));
      const idleHeapMiB = Math.min(...(await heapTotals(ports))) / MiB;
      proxy.setLatency(INSERT_LATENCY_MS);
      trial.log(
        `ClickHouse slowed to ${INSERT_LATENCY_MS / 1000} s per request; idle RSS ${Math.round(idleKiB / 1024)} MiB, V8 heap ${idleHeapMiB.toFixed(0)} MiB`,
      );
      // Not scaled down: fewer events would fit in the workers' budget and never make them pause.
      const total = scaled(env, 150_000, 150_000);
      const started = Date.now();
      await Promise.all([trial.producer(), trial.producer()].map((p) => p.send(total / 2, 5_000)));
      trial.log(`produced ${trial.acked} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      // What the producers wrote and the workers had not landed yet: more than they may hold.
      const ends = await logEndOffsets(trial.kafka, trial.topic);
      const committed = await trial.committed();
      const backlog = [...ends].reduce(
        (n, [p, end]) => n + end - Math.max(0, committed.get(p) ?? 0),
        0,
      );
      const backlogMiB = (backlog * trial.averageEventBytes) / MiB;
      const mayHoldMiB = (workers.length * MAX_BUFFERED) / MiB;
      trial.log(`backlog when producing ended: ${backlog} events (${backlogMiB.toFixed(0)} MiB)`);
      await sleep(20_000);
      proxy.setLatency(0);
      const outcome = await trial.finish();
      gauges.stop();
      const peakMiB = outcome.peakRssMiB;
      const heapRoomMiB = Math.max(0, WORKER_HEAP_MAX_MIB - idleHeapMiB);
      const boundMiB = Math.round(idleKiB / 1024 + heapRoomMiB + (MAX_BUFFERED + FETCH_MAX) / MiB);
      const checks: Check[] = [
        {
          name: 'the backlog outgrew what the workers may buffer, so they had to pause',
          ok: backlogMiB > mayHoldMiB,
          detail: `${backlog} events (${backlogMiB.toFixed(0)} MiB) not landed when producing ended; the workers may buffer ${mayHoldMiB} MiB`,
        },
        {
          name: 'the workers paused partitions',
          ok: gauges.maxPausedPartitions > 0,
          detail: `at most ${gauges.maxPausedPartitions} paused at once on one worker`,
        },
        {
          name: "buffered bytes (the worker's own account) ≤ INGEST_MAX_BUFFERED_BYTES",
          ok: gauges.maxBufferedBytes <= MAX_BUFFERED,
          detail: `peak ${(gauges.maxBufferedBytes / MiB).toFixed(1)} MiB, bound ${MAX_BUFFERED / MiB} MiB`,
        },
        {
          name: 'peak RSS ≤ idle RSS + heap room + INGEST_MAX_BUFFERED_BYTES + KAFKA_FETCH_MAX_BYTES',
          ok: peakMiB <= boundMiB,
          detail: `peak ${peakMiB} MiB, bound ${boundMiB} MiB (idle ${Math.round(idleKiB / 1024)} + heap room ${heapRoomMiB.toFixed(0)} + ${MAX_BUFFERED / MiB} + ${FETCH_MAX / MiB}); peak V8 heap ${(gauges.maxHeapTotalBytes / MiB).toFixed(0)} MiB, Buffers ${(gauges.maxExternalBytes / MiB).toFixed(0)} MiB`,
        },
      ];
      return { ...outcome, checks: [...outcome.checks, ...checks] };
    } finally {
      proxy.setLatency(0);
      await trial.close();
    }
  },
};

/** Each worker's V8 heap size (prom-client's nodejs_heap_size_total_bytes), in bytes. */
async function heapTotals(ports: readonly number[]): Promise<number[]> {
  return Promise.all(
    ports.map(async (port) => {
      const response = await fetch(`http://127.0.0.1:${port}/metrics`);
      const heap = gaugeValue(await response.text(), 'nodejs_heap_size_total_bytes');
      if (heap === undefined) throw new Error(`worker on ${port}: no nodejs_heap_size_total_bytes`);
      return heap;
    }),
  );
}
