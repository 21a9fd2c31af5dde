import type { Registry } from 'prom-client';
import type { Config } from '../config/schema.ts';
import { createKafka } from '../consume/create-kafka.ts';
import { LagPoller } from '../consume/lag-poller.ts';
import type { EnrichCounters } from '../enrich/enrich-counters.ts';
import { errorMessage } from '../errors.ts';
import { createClickHouseClient } from '../sink/create-clickhouse-client.ts';
import { ClickHouseProbe, type TableHealth } from './clickhouse-probe.ts';
import { createEnrichCounters } from './enrich-metrics.ts';
import { EventLoopWatch } from './event-loop-watch.ts';
import { evaluateHealth, evaluateReadiness, type Verdict } from './health-checks.ts';
import type { WorkerRuntimeState } from './ingest-metrics.ts';
import { createLagMetrics } from './lag-metrics.ts';
import type { Logger } from './logger.ts';
import { memoryLimitBytes } from './memory-limit.ts';
import { METRICS, type MetricSpec } from './metric-names.ts';
import { MetricsServer } from './metrics-server.ts';
import { collectedGaugeOf, createMetricsRegistry, gaugeOf } from './prom.ts';
import { packageVersion } from './worker-info.ts';
import { WorkerMetrics } from './worker-metrics.ts';

/** The event loop counts as stalled when no 250 ms timer ran for this long. */
const EVENT_LOOP_STALL_MS = 10_000;

export interface WorkerView {
  runtimeState(): WorkerRuntimeState;
}

/**
 * Everything operations see of one worker process: its metrics registry, the broker-side
 * lag reader, the ClickHouse probe, the event-loop watch, and the HTTP server with
 * /metrics, /healthz and /readyz. Created before the worker (which records into
 * `metrics`), started before the worker connects, stopped after it drained.
 */
export class Observability {
  readonly registry: Registry;
  readonly metrics: WorkerMetrics;
  readonly enrichCounters: EnrichCounters;
  readonly #config: Readonly<Config>;
  readonly #log: Logger;
  readonly #lag: LagPoller;
  readonly #probe: ClickHouseProbe;
  #loop: EventLoopWatch | undefined;
  #server: MetricsServer | undefined;
  #worker: WorkerView | undefined;
  #port: number | undefined;

  constructor(config: Readonly<Config>, logger: Logger) {
    this.#config = config;
    this.#log = logger.child({ component: 'observe' });
    this.registry = createMetricsRegistry(config.kafka.groupId);
    this.metrics = new WorkerMetrics(this.registry, { table: config.clickhouse.table });
    this.enrichCounters = createEnrichCounters(this.registry);

    const lagMetrics = createLagMetrics(this.registry);
    const lagLog = logger.child({ component: 'lag' });
    const lagFailures = transitionLogger(lagLog, 'reading consumer lag from the brokers');
    this.#lag = new LagPoller({
      admin: createKafka(config.kafka, lagLog).admin(),
      groupId: config.kafka.groupId,
      topics: config.kafka.topics,
      fromBeginning: config.kafka.fromBeginning,
      intervalMs: config.observe.lagRefreshMs,
      onLag: (lag) => {
        lagMetrics.record(lag);
        lagFailures.ok();
      },
      onError: (err) => {
        lagMetrics.failed();
        lagFailures.failed(err);
      },
    });

    const probeFailures = transitionLogger(
      logger.child({ component: 'clickhouse-probe' }),
      'probing ClickHouse',
    );
    const tableHealthFailures = transitionLogger(
      logger.child({ component: 'clickhouse-probe' }),
      'reading part counts (system.parts, system.replicas)',
    );
    this.#probe = new ClickHouseProbe({
      // Its own single connection: a probe must not queue behind inserts.
      client: createClickHouseClient(
        { ...config.clickhouse, maxOpenConnections: 1, requestCompression: false },
        { ...config.insert, timeoutMs: 10_000 },
        logger,
      ),
      database: config.clickhouse.database,
      table: config.clickhouse.table,
      intervalMs: config.observe.clickhouseProbeMs,
      onSuccess: () => probeFailures.ok(),
      onFailure: (err) => probeFailures.failed(err),
      onTableHealthFailure: (err) => tableHealthFailures.failed(err),
    });
    this.#registerServiceGauges();
  }

  /** The bound port of the HTTP server (undefined when METRICS_PORT=0). */
  get port(): number | undefined {
    return this.#port;
  }

  /** Starts the probes and the HTTP server; the worker need not be started yet. */
  async start(worker: WorkerView): Promise<void> {
    this.#worker = worker;
    this.metrics.observeWorker(() => worker.runtimeState());
    this.#loop = new EventLoopWatch();
    this.#lag.start();
    this.#probe.start();
    if (this.#config.metricsPort === 0) return;
    this.#server = new MetricsServer({
      port: this.#config.metricsPort,
      registry: this.registry,
      health: () => this.health(),
      readiness: () => this.readiness(),
    });
    this.#port = await this.#server.listen();
    this.#log.info({ port: this.#port }, 'serving /metrics, /healthz and /readyz');
  }

  health(): Verdict {
    const loop = this.#loop;
    return evaluateHealth({
      now: Date.now(),
      lastTickAt: loop?.lastTickAt ?? Date.now(),
      stallMs: EVENT_LOOP_STALL_MS,
      delayMs: loop?.delayMs ?? { p99: 0, max: 0 },
    });
  }

  readiness(): Verdict {
    const { kafka, observe } = this.#config;
    const activity = this.metrics.activity;
    const state = this.#worker?.runtimeState();
    return evaluateReadiness({
      now: Date.now(),
      worker: { running: state?.running ?? false, stopping: state?.stopping ?? false },
      consumer: {
        phase: activity.phase,
        phaseSince: activity.phaseSince,
        lastActivityAt: activity.lastActivityAt,
        assignedPartitions: activity.assignedPartitions,
      },
      kafka: { lastOkAt: this.#lag.lastOkAt, lastError: this.#lag.lastError },
      clickhouse: {
        up: this.#probe.up,
        lastOkAt: this.#probe.lastOkAt,
        lastError: this.#probe.lastError,
      },
      dlq: state?.dlq ?? {
        topic: kafka.dlqTopic,
        writable: true,
        lastFailure: undefined,
        failingSinceMs: undefined,
      },
      bounds: {
        progressMs: observe.readyProgressMs,
        joinMs: kafka.rebalanceTimeoutMs + kafka.sessionTimeoutMs,
        kafkaMs: 3 * observe.lagRefreshMs + 10_000,
        clickhouseMs: 3 * observe.clickhouseProbeMs + 10_000,
      },
    });
  }

  /**
   * Stops the server and the probes (after the worker drained: scrapes work until then).
   * A read stuck on a dead broker is not waited for past `deadlineMs`: its timers are
   * unreferenced and cannot hold the process.
   */
  async stop(deadlineMs = 3_000): Promise<void> {
    this.#loop?.stop();
    const stopped = Promise.allSettled([
      this.#server?.close(),
      this.#lag.stop(),
      this.#probe.stop(),
    ]);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, deadlineMs);
    });
    await Promise.race([stopped, deadline]);
    clearTimeout(timer);
  }

  #registerServiceGauges(): void {
    const { database, table } = this.#config.clickhouse;
    gaugeOf(this.registry, METRICS.clickhouseUp, () => (this.#probe.up ? 1 : 0));
    // Table health appears once it was read (a scrape before the first read shows none).
    const tableGauge = (
      spec: MetricSpec,
      labels: Record<string, string>,
      pick: (h: TableHealth) => number,
    ): void => {
      collectedGaugeOf(this.registry, spec, (gauge) => {
        const health = this.#probe.tableHealth;
        if (health !== undefined) gauge.set(labels, pick(health));
      });
    };
    tableGauge(METRICS.clickhouseActiveParts, { database, table }, (h) => h.activeParts);
    tableGauge(
      METRICS.clickhouseMaxPartsPerPartition,
      { database, table },
      (h) => h.maxPartsPerPartition,
    );
    tableGauge(METRICS.clickhouseReplicaDelay, { database }, (h) => h.replicaDelaySeconds);
    gaugeOf(this.registry, METRICS.ready, () => (this.readiness().status === 'ok' ? 1 : 0));
    gaugeOf(this.registry, METRICS.memoryLimit).set(memoryLimitBytes());
    gaugeOf(this.registry, METRICS.workerInfo).set(
      { worker_id: this.#config.workerId, version: packageVersion() },
      1,
    );
  }
}

/** Logs a failing dependency once when it starts failing and once when it recovers. */
function transitionLogger(log: Logger, what: string): { failed(err: unknown): void; ok(): void } {
  let failing = false;
  return {
    failed(err) {
      if (failing) return;
      failing = true;
      log.warn({ err: errorMessage(err) }, `${what} failed; retrying`);
    },
    ok() {
      if (!failing) return;
      failing = false;
      log.info(`${what} works again`);
    },
  };
}
