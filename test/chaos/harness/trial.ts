import { setTimeout as sleep } from 'node:timers/promises';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Kafka } from 'kafkajs';
import { migrateUp } from '../../../src/migrate/run-migrations.ts';
import { landedCounts, testClickHouse } from '../../support/clickhouse.ts';
import { committedOffsets, createTopics, logEndOffsets, testKafka } from '../../support/kafka.ts';
import { testStack, uniqueName } from '../../support/stack-env.ts';
import { TcpProxy } from '../../support/tcp-proxy.ts';
import { measure } from './measure.ts';
import type { ChaosEnv, Check, ScenarioOutcome } from './scenario.ts';
import { TaggedProducer } from './tagged-producer.ts';
import { WorkerFleet, type FleetWorker } from './worker-fleet.ts';

export interface TrialOptions {
  /** Prefix of the topic, table, group and worker names. */
  readonly name: string;
  readonly partitions?: number;
  /** Worker settings on top of the test defaults (short session timeout, fast retries). */
  readonly workerEnv?: Record<string, string>;
  /** Workers reach ClickHouse through a TCP proxy (`trial.proxy`) that can inject faults. */
  readonly proxied?: boolean;
}

/**
 * Settings every chaos worker gets: small batches, so a run has many batches to break, and
 * a session timeout short enough for quick takeovers yet long enough that workers starved
 * of CPU on a small shared machine are not evicted while decoding a large fetch.
 */
export const CHAOS_WORKER_ENV: Readonly<Record<string, string>> = {
  BATCH_MAX_ROWS: '2000',
  BATCH_MAX_AGE_MS: '500',
  KAFKA_SESSION_TIMEOUT_MS: '15000',
  KAFKA_REBALANCE_TIMEOUT_MS: '30000',
  LOG_LEVEL: 'info',
};

/**
 * One scenario's world: its own topic (+ DLQ), events table and consumer group, a fleet of
 * worker processes and tagged producers; `finish` waits for the group to catch up, stops
 * the workers and measures.
 */
export class Trial {
  readonly topic: string;
  readonly dlqTopic: string;
  readonly table: string;
  readonly group: string;
  readonly partitions: number;
  readonly kafka: Kafka;
  readonly clickhouse: ClickHouseClient;
  readonly fleet: WorkerFleet;
  readonly notes: string[] = [];
  readonly #env: ChaosEnv;
  readonly #producers: TaggedProducer[] = [];
  readonly #proxies: TcpProxy[] = [];
  readonly #started = Date.now();
  #proxy: TcpProxy | undefined;

  private constructor(env: ChaosEnv, options: TrialOptions) {
    this.#env = env;
    const base = options.name.replace(/[^A-Za-z0-9_]/g, '_');
    this.topic = uniqueName(`chaos_${base}`);
    this.dlqTopic = `${this.topic}_dlq`;
    this.table = this.topic;
    this.group = `${this.topic}_group`;
    this.partitions = options.partitions ?? 12;
    this.kafka = testKafka(`chaos-${base}`);
    this.clickhouse = testClickHouse();
    this.fleet = new WorkerFleet(`${base}`, {
      KAFKA_TOPICS: this.topic,
      KAFKA_DLQ_TOPIC: this.dlqTopic,
      KAFKA_GROUP_ID: this.group,
      CLICKHOUSE_TABLE: this.table,
      ...CHAOS_WORKER_ENV,
      ...options.workerEnv,
    });
  }

  /** Creates the topics, the schema and (with `proxied`) the proxy; on failure closes all. */
  static async open(env: ChaosEnv, options: TrialOptions): Promise<Trial> {
    const trial = new Trial(env, options);
    try {
      if (options.proxied === true) {
        trial.#proxy = await trial.newProxy();
        trial.fleet.configure({ CLICKHOUSE_URL: trial.#proxy.url });
      }
      await trial.#createTopics();
      trial.log(`topic ${trial.topic} (${trial.partitions} partitions) created`);
      // The HIP-47 schema through the migrations: events plus its rollups and their views.
      await migrateUp(trial.clickhouse, { database: 'default', eventsTable: trial.table });
      trial.log('schema migrated');
      return trial;
    } catch (err) {
      await trial.close();
      throw err;
    }
  }

  /** The proxy between the workers and ClickHouse (a trial opened with `proxied`). */
  get proxy(): TcpProxy {
    if (this.#proxy === undefined) throw new Error('this trial was not opened with `proxied`');
    return this.#proxy;
  }

  /** One more proxy to ClickHouse, closed with the trial (for one worker's traffic). */
  async newProxy(): Promise<TcpProxy> {
    const proxy = await TcpProxy.start(testStack().clickhouse.url);
    this.#proxies.push(proxy);
    return proxy;
  }

  /** Creates the topics and waits until every partition has a leader that answers. */
  async #createTopics(): Promise<void> {
    // kafkajs may report a transient metadata error while the broker still creates the
    // partitions ("does not host this topic-partition"); what counts is that they end up led.
    for (let attempt = 1; ; attempt++) {
      try {
        await createTopics(this.kafka, [
          { topic: this.topic, partitions: this.partitions },
          { topic: this.dlqTopic, partitions: 1 },
        ]);
        break;
      } catch (err) {
        this.log(`creating the topics: ${err instanceof Error ? err.message : String(err)}`);
        if (/already exists/i.test(String(err)) || attempt >= 3) break;
        await sleep(1_000);
      }
    }
    const ready = await this.poll(async () => {
      const ends = await logEndOffsets(this.kafka, this.topic);
      return (
        ends.size === this.partitions && (await logEndOffsets(this.kafka, this.dlqTopic)).size === 1
      );
    }, 60_000);
    if (!ready) throw new Error(`topic ${this.topic}: not every partition has a leader after 60 s`);
  }

  log(line: string): void {
    const seconds = ((Date.now() - this.#started) / 1000).toFixed(1);
    this.#env.log(`  [${seconds}s] ${line}`);
  }

  /** A new producer of tagged events into this trial's topic. */
  producer(): TaggedProducer {
    const producer = new TaggedProducer(this.kafka, {
      topic: this.topic,
      partitions: this.partitions,
      producerId: `${this.topic}-p${this.#producers.length + 1}`,
      seed: 1 + this.#producers.length,
    });
    this.#producers.push(producer);
    return producer;
  }

  get acked(): number {
    return this.#producers.reduce((n, p) => n + p.acked, 0);
  }

  /** Average size of the events produced so far (bytes of the message value). */
  get averageEventBytes(): number {
    return this.#producers.reduce((n, p) => n + p.ackedBytes, 0) / Math.max(1, this.acked);
  }

  async landedRows(): Promise<number> {
    return (await landedCounts(this.clickhouse, this.table)).rows;
  }

  /** Waits until at least `rows` rows landed; false on timeout. */
  async waitForRows(rows: number, timeoutMs: number): Promise<boolean> {
    return this.poll(async () => (await this.landedRows()) >= rows, timeoutMs);
  }

  /** Committed offset per partition (-1 when none). */
  async committed(): Promise<Map<number, number>> {
    return committedOffsets(this.kafka, this.group, this.topic);
  }

  /** Waits until the group committed every partition up to its log end; false on timeout. */
  async waitForCommittedToLogEnd(timeoutMs: number): Promise<boolean> {
    return this.poll(() => this.committedToLogEnd(), timeoutMs);
  }

  /** The group has committed every partition up to its current log end. */
  async committedToLogEnd(): Promise<boolean> {
    const ends = await logEndOffsets(this.kafka, this.topic);
    const committed = await this.committed();
    return [...ends].every(([p, end]) => committed.get(p) === end);
  }

  /**
   * The end of every scenario: producers are done; wait until the group has committed
   * everything (or `timeoutMs`), stop the workers with SIGTERM, measure.
   */
  async finish(
    checks: Check[] = [],
    options: { timeoutMs?: number; tolerateExit?: (w: FleetWorker) => boolean } = {},
  ): Promise<ScenarioOutcome> {
    // Generous: on a small shared machine the broker itself can stall for minutes.
    const timeoutMs = options.timeoutMs ?? 300_000;
    for (const p of this.#producers) await p.close();
    const caughtUp = await this.waitForCommittedToLogEnd(timeoutMs);
    if (!caughtUp)
      this.notes.push(`the group did not commit to log end within ${timeoutMs / 1000} s`);
    this.log(caughtUp ? 'group caught up; stopping workers' : 'group did not catch up');
    await this.fleet.stopAll();
    const measurement = await measure({
      kafka: this.kafka,
      clickhouse: this.clickhouse,
      topic: this.topic,
      dlqTopic: this.dlqTopic,
      table: this.table,
      group: this.group,
      acked: this.acked,
    });
    const failedSends = this.#producers.reduce((n, p) => n + p.failedSends, 0);
    if (failedSends > 0) this.notes.push(`${failedSends} producer sends failed and were redone`);
    return {
      measurement,
      peakRssMiB: this.fleet.peakRssMiB(),
      checks,
      unexpectedExits: this.fleet.unexpectedExits(options.tolerateExit),
      notes: [...this.notes, ...this.fleet.restarts],
    };
  }

  async close(): Promise<void> {
    for (const p of this.#producers) await p.close();
    this.fleet.close();
    for (const proxy of this.#proxies) await proxy.close();
    await this.clickhouse.close();
  }

  /** Polls `probe` every 500 ms until it holds (true) or `timeoutMs` passed (false). */
  async poll(probe: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await probe().catch(() => false)) return true;
      await sleep(500);
    }
    return false;
  }
}
