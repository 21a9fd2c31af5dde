import type { Registry } from 'prom-client';
import type { Config } from '../config/schema.ts';
import type { LagPoller } from '../consume/lag-poller.ts';
import type { EnrichCounters } from '../enrich/enrich-counters.ts';
import type { ClickHouseProbe } from './clickhouse-probe.ts';
import { createClickHouseProbe, createLagPoller } from './dependency-probes.ts';
import { createEnrichCounters } from './enrich-metrics.ts';
import { EventLoopWatch } from './event-loop-watch.ts';
import { evaluateHealth, evaluateReadiness, type Verdict } from './health-checks.ts';
import type { WorkerRuntimeState } from './ingest-metrics.ts';
import { createLagMetrics } from './lag-metrics.ts';
import type { Logger } from '../log/logger.ts';
import { MetricsServer } from './metrics-server.ts';
import { createMetricsRegistry } from './prom.ts';
import { registerServiceGauges } from './service-gauges.ts';
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

    this.#lag = createLagPoller(config, logger, createLagMetrics(this.registry));
    this.#probe = createClickHouseProbe(config, logger);
    registerServiceGauges(
      this.registry,
      config,
      this.#probe,
      () => this.readiness().status === 'ok',
    );
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
}
