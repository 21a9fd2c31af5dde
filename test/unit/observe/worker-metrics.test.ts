import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, test } from 'node:test';
import { Registry } from 'prom-client';
import { sealBatch, type RejectedMessage } from '../../../src/batch/sealed-batch.ts';
import {
  createEnrichCounters,
  MAX_UNKNOWN_MODEL_SERIES,
} from '../../../src/observe/enrich-metrics.ts';
import { createLagMetrics } from '../../../src/observe/lag-metrics.ts';
import { DlqWritability } from '../../../src/dlq/dlq-writability.ts';
import { METRICS } from '../../../src/observe/metric-names.ts';
import { WorkerMetrics } from '../../../src/observe/worker-metrics.ts';
import { RowLines } from '../../../src/batch/row-lines.ts';

/** The value of series `name` with exactly these labels, from the registry's JSON export. */
async function valueOf(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number | undefined> {
  const base = name.replace(/_(sum|count)$/, '');
  const metric = (await registry.getMetricsAsJSON()).find(
    (m) => m.name === name || m.name === base,
  );
  const hit = metric?.values.find(
    (v) =>
      ((v as { metricName?: string }).metricName ?? metric.name) === name &&
      Object.keys(labels).length === Object.keys(v.labels).length &&
      Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want),
  );
  return hit?.value;
}

function batch(rows: number, startedAt: number) {
  return sealBatch({
    topic: 't',
    partition: 1,
    firstOffset: 10n,
    lastOffset: BigInt(10 + rows - 1),
    rows: RowLines.of(Array.from({ length: rows }, (_, i) => `{"n":${i}}\n`)),
    rejected: [],
    bytes: rows * 8,
    memoryBytes: rows * 16,
    commitFrom: 10n,
    startedAt,
  });
}

const letter = (
  reason: 'invalid_json' | 'rejected_by_clickhouse',
  stage: 'decode' | 'sink',
): RejectedMessage => ({
  source: {
    topic: 't',
    partition: 1,
    offset: '1',
    key: null,
    value: null,
    headers: {},
    timestampMs: 0,
  },
  deadLetter: { reason, stage, message: 'x' },
});

describe('worker metrics', () => {
  test('every metric name is unique, prefixed and snake_case', () => {
    const names = Object.values(METRICS).map((m) => m.name);
    assert.equal(new Set(names).size, names.length);
    for (const n of names) assert.match(n, /^hanzo_ingest_[a-z0-9_]+$/);
    for (const m of Object.values(METRICS)) {
      if (m.kind === 'counter') assert.match(m.name, /_total$/, m.name);
      else assert.doesNotMatch(m.name, /_total$/, m.name);
    }
  });

  test('batches, inserts, commits and dead letters are counted', async () => {
    const registry = new Registry();
    const metrics = new WorkerMetrics(registry, { table: 'events', now: () => 10_000 });
    metrics.consumed('t', 120);
    metrics.consumed('t', 0);
    metrics.landed(batch(100, 7_500), 99, 10_000);
    await metrics.timeInsert(async () => 'ok');
    await assert.rejects(metrics.timeInsert(async () => Promise.reject(new Error('down'))));
    metrics.insertRetried('ECONNREFUSED');
    metrics.insertRetried('ECONNREFUSED');
    metrics.committed(12);
    metrics.decompressFailed('zstd');
    metrics.decompressFailed('zstd');
    metrics.deadLettersWritten([
      letter('invalid_json', 'decode'),
      letter('invalid_json', 'decode'),
      letter('rejected_by_clickhouse', 'sink'),
    ]);

    assert.equal(await valueOf(registry, METRICS.messagesConsumed.name, { topic: 't' }), 120);
    assert.equal(await valueOf(registry, METRICS.rowsInserted.name, { table: 'events' }), 99);
    assert.equal(await valueOf(registry, METRICS.bytesInserted.name, { table: 'events' }), 800);
    assert.equal(await valueOf(registry, `${METRICS.batchRows.name}_sum`), 100);
    assert.equal(await valueOf(registry, `${METRICS.batchAge.name}_sum`), 2.5);
    assert.equal(
      await valueOf(registry, `${METRICS.insertDuration.name}_count`, { outcome: 'success' }),
      1,
    );
    assert.equal(
      await valueOf(registry, `${METRICS.insertDuration.name}_count`, { outcome: 'failure' }),
      1,
    );
    assert.equal(
      await valueOf(registry, METRICS.insertRetries.name, { error_class: 'ECONNREFUSED' }),
      2,
    );
    assert.equal(await valueOf(registry, `${METRICS.commitDuration.name}_sum`), 0.012);
    assert.equal(
      await valueOf(registry, METRICS.deadLetters.name, {
        reason: 'invalid_json',
        stage: 'decode',
      }),
      2,
    );
    assert.equal(
      await valueOf(registry, METRICS.deadLetters.name, {
        reason: 'rejected_by_clickhouse',
        stage: 'sink',
      }),
      1,
    );
    assert.equal(await valueOf(registry, METRICS.fetchDecompressErrors.name, { codec: 'zstd' }), 2);
    // Known codecs and reasons exist from the start, at 0.
    assert.equal(
      await valueOf(registry, METRICS.fetchDecompressErrors.name, { codec: 'snappy' }),
      0,
    );
    assert.equal(
      await valueOf(registry, METRICS.deadLetters.name, { reason: 'wrong_type', stage: 'decode' }),
      0,
    );
  });

  test('buffer gauges are read from the worker at scrape time', async () => {
    const registry = new Registry();
    let now = 50_000;
    const metrics = new WorkerMetrics(registry, { table: 'events', now: () => now });
    assert.equal(await valueOf(registry, METRICS.pausedPartitions.name), 0, 'no worker yet');
    let state = {
      running: true,
      stopping: false,
      pausedPartitions: 2,
      insertsInFlight: 3,
      bufferedBytes: 4096,
      oldestUnflushedAtMs: 47_000 as number | undefined,
      dlq: new DlqWritability('t_dlq').state,
    };
    assert.equal(
      await valueOf(registry, METRICS.dlqWritable.name),
      1,
      'writable until a write fails',
    );
    metrics.observeWorker(() => state);
    assert.equal(await valueOf(registry, METRICS.pausedPartitions.name), 2);
    assert.equal(await valueOf(registry, METRICS.insertsInFlight.name), 3);
    assert.equal(await valueOf(registry, METRICS.bufferedBytes.name), 4096);
    assert.equal(await valueOf(registry, METRICS.oldestUnflushedAge.name), 3);
    now = 60_000;
    state = { ...state, oldestUnflushedAtMs: undefined };
    assert.equal(await valueOf(registry, METRICS.oldestUnflushedAge.name), 0);
    assert.equal(await valueOf(registry, METRICS.dlqWritable.name), 1);
    const failing = new DlqWritability('t_dlq');
    failing.failed({ error: 'TOPIC_AUTHORIZATION_FAILED', message: 'no' }, now);
    state = { ...state, dlq: failing.state };
    assert.equal(await valueOf(registry, METRICS.dlqWritable.name), 0);
  });

  test('failed DLQ writes are counted by the broker error', async () => {
    const registry = new Registry();
    const metrics = new WorkerMetrics(registry, { table: 'events' });
    metrics.deadLetterWriteFailed('UNKNOWN_TOPIC_OR_PARTITION');
    metrics.deadLetterWriteFailed('UNKNOWN_TOPIC_OR_PARTITION');
    metrics.deadLetterWriteFailed('MESSAGE_TOO_LARGE');
    assert.equal(
      await valueOf(registry, METRICS.dlqWriteFailures.name, {
        error: 'UNKNOWN_TOPIC_OR_PARTITION',
      }),
      2,
    );
    assert.equal(
      await valueOf(registry, METRICS.dlqWriteFailures.name, { error: 'MESSAGE_TOO_LARGE' }),
      1,
    );
  });

  test('group joins count rebalances and set the assignment', async () => {
    const registry = new Registry();
    const metrics = new WorkerMetrics(registry, { table: 'events' });
    const consumer = fakeConsumer();
    metrics.watchConsumer(consumer);
    consumer.emit('consumer.connect');
    assert.equal(metrics.activity.phase, 'joining');
    consumer.emit('consumer.group_join', {
      payload: { memberAssignment: { t: [0, 1, 2], u: [4] } },
    });
    assert.equal(metrics.activity.phase, 'member');
    assert.equal(metrics.activity.assignedPartitions, 4);
    assert.equal(await valueOf(registry, METRICS.assignedPartitions.name, { topic: 't' }), 3);
    consumer.emit('consumer.group_join', { payload: { memberAssignment: { u: [4, 5] } } });
    assert.equal(
      await valueOf(registry, METRICS.assignedPartitions.name, { topic: 't' }),
      undefined,
    );
    assert.equal(await valueOf(registry, METRICS.assignedPartitions.name, { topic: 'u' }), 2);
    assert.equal(await valueOf(registry, METRICS.rebalances.name), 2);
    consumer.emit('consumer.crash', { payload: {} });
    assert.equal(metrics.activity.phase, 'crashed');
    assert.equal(metrics.activity.assignedPartitions, 0);
  });
});

describe('enrichment counters', () => {
  test('count misses by reason, model and key; unknown-model series are capped', async () => {
    const registry = new Registry();
    const counters = createEnrichCounters(registry);
    counters.geoMiss('private');
    counters.geoMiss('private');
    counters.userAgentUnparsed();
    counters.contentScrubbed('prompt');
    counters.unknownModel('acme', 'm-1');
    counters.unknownModel('acme', 'm-1');
    for (let i = 0; i < MAX_UNKNOWN_MODEL_SERIES + 10; i++)
      counters.unknownModel('p', `model-${i}`);
    assert.equal(await valueOf(registry, METRICS.geoMisses.name, { reason: 'private' }), 2);
    assert.equal(await valueOf(registry, METRICS.geoMisses.name, { reason: 'invalid' }), 0);
    assert.equal(await valueOf(registry, METRICS.userAgentsUnparsed.name), 1);
    assert.equal(await valueOf(registry, METRICS.contentScrubbed.name, { key: 'prompt' }), 1);
    assert.equal(
      await valueOf(registry, METRICS.unknownModels.name, { provider: 'acme', model: 'm-1' }),
      2,
    );
    const series = (await registry.getMetricsAsJSON()).find(
      (m) => m.name === METRICS.unknownModels.name,
    )!.values;
    assert.equal(series.length, MAX_UNKNOWN_MODEL_SERIES + 1, 'the cap plus one "other" series');
    assert.equal(
      await valueOf(registry, METRICS.unknownModels.name, { provider: 'other', model: 'other' }),
      11,
    );
  });
});

describe('lag metrics', () => {
  test('each read replaces the previous one; a partition never committed has no committed series', async () => {
    const registry = new Registry();
    const lag = createLagMetrics(registry);
    const read = (committed: bigint | undefined, logEnd: bigint) => ({
      groupId: 'g',
      state: 'Stable',
      members: 2,
      totalLag: 0n,
      readAtMs: 1_700_000_000_000,
      partitions: [
        {
          topic: 't',
          partition: 0,
          logStart: 0n,
          logEnd,
          committed,
          lag: logEnd - (committed ?? 0n),
        },
      ],
    });
    lag.record(read(undefined, 50n));
    assert.equal(
      await valueOf(registry, METRICS.consumerLag.name, { topic: 't', partition: '0' }),
      50,
    );
    assert.equal(
      await valueOf(registry, METRICS.committedOffset.name, { topic: 't', partition: '0' }),
      undefined,
    );
    lag.record(read(45n, 60n));
    assert.equal(
      await valueOf(registry, METRICS.consumerLag.name, { topic: 't', partition: '0' }),
      15,
    );
    assert.equal(
      await valueOf(registry, METRICS.committedOffset.name, { topic: 't', partition: '0' }),
      45,
    );
    assert.equal(
      await valueOf(registry, METRICS.logEndOffset.name, { topic: 't', partition: '0' }),
      60,
    );
    assert.equal(await valueOf(registry, METRICS.groupMembers.name), 2);
    assert.equal(await valueOf(registry, METRICS.lagRefreshed.name), 1_700_000_000);
    lag.failed();
    assert.equal(await valueOf(registry, METRICS.lagRefreshErrors.name), 1);
    assert.equal(
      await valueOf(registry, METRICS.consumerLag.name, { topic: 't', partition: '0' }),
      15,
      'kept',
    );
  });
});

/** The event surface of a kafkajs consumer: `events` names and `on`. */
function fakeConsumer() {
  const emitter = new EventEmitter();
  const events = {
    CONNECT: 'consumer.connect',
    REBALANCING: 'consumer.rebalancing',
    GROUP_JOIN: 'consumer.group_join',
    FETCH_START: 'consumer.fetch_start',
    FETCH: 'consumer.fetch',
    HEARTBEAT: 'consumer.heartbeat',
    CRASH: 'consumer.crash',
    STOP: 'consumer.stop',
    DISCONNECT: 'consumer.disconnect',
  };
  return Object.assign(emitter, { events }) as unknown as Parameters<
    WorkerMetrics['watchConsumer']
  >[0] &
    EventEmitter;
}
