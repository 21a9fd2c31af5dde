import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  evaluateHealth,
  evaluateReadiness,
  type ReadinessInputs,
} from '../../../src/observe/health-checks.ts';
import { DlqWritability } from '../../../src/dlq/dlq-writability.ts';

const NOW = 1_000_000;
const healthy: ReadinessInputs = {
  now: NOW,
  worker: { running: true, stopping: false },
  consumer: {
    phase: 'member',
    phaseSince: NOW - 60_000,
    lastActivityAt: NOW - 200,
    assignedPartitions: 3,
  },
  kafka: { lastOkAt: NOW - 2_000, lastError: undefined },
  clickhouse: { up: true, lastOkAt: NOW - 1_000, lastError: undefined },
  dlq: new DlqWritability('events_dlq').state,
  bounds: { progressMs: 60_000, joinMs: 105_000, kafkaMs: 40_000, clickhouseMs: 25_000 },
};
const failing = (i: ReadinessInputs): string[] =>
  Object.entries(evaluateReadiness(i).checks)
    .filter(([, c]) => !c.ok)
    .map(([name]) => name);

describe('readiness', () => {
  test('ready: in the group with partitions, Kafka and ClickHouse answering', () => {
    const v = evaluateReadiness(healthy);
    assert.equal(v.status, 'ok');
    assert.match(v.checks['consumer']!.detail, /assigned 3 partition/);
  });

  test('a member without partitions (more replicas than partitions) is ready', () => {
    const v = evaluateReadiness({
      ...healthy,
      consumer: { ...healthy.consumer, assignedPartitions: 0 },
    });
    assert.equal(v.status, 'ok');
    assert.match(v.checks['consumer']!.detail, /waiting for an assignment/);
  });

  test('joining the group is ready until the join takes longer than the bound', () => {
    const joining = { ...healthy.consumer, phase: 'joining' as const, lastActivityAt: undefined };
    assert.deepEqual(
      failing({ ...healthy, consumer: { ...joining, phaseSince: NOW - 30_000 } }),
      [],
    );
    assert.deepEqual(failing({ ...healthy, consumer: { ...joining, phaseSince: NOW - 200_000 } }), [
      'consumer',
    ]);
  });

  test('unready when ClickHouse failed its last probe, with the error', () => {
    const v = evaluateReadiness({
      ...healthy,
      clickhouse: {
        up: false,
        lastOkAt: NOW - 1_500,
        lastError: 'connect ECONNREFUSED 127.0.0.1:8123',
      },
    });
    assert.equal(v.status, 'unavailable');
    assert.deepEqual(
      failing({ ...healthy, clickhouse: { up: false, lastOkAt: undefined, lastError: 'x' } }),
      ['clickhouse'],
    );
    assert.match(v.checks['clickhouse']!.detail, /ECONNREFUSED/);
  });

  test('unready while DLQ writes fail, naming the topic and the error; ready after a write', () => {
    const dlq = new DlqWritability('events_dlq');
    dlq.failed({ error: 'UNKNOWN_TOPIC_OR_PARTITION', message: 'no such topic' }, NOW - 12_000);
    dlq.failed({ error: 'UNKNOWN_TOPIC_OR_PARTITION', message: 'no such topic' }, NOW - 2_000);
    const v = evaluateReadiness({ ...healthy, dlq: dlq.state });
    assert.equal(v.status, 'unavailable');
    assert.deepEqual(failing({ ...healthy, dlq: dlq.state }), ['dlq']);
    assert.match(v.checks['dlq']!.detail, /events_dlq for 12\.0 s: UNKNOWN_TOPIC_OR_PARTITION/);
    dlq.succeeded();
    assert.equal(evaluateReadiness({ ...healthy, dlq: dlq.state }).status, 'ok');
  });

  test('unready when the brokers have not answered within the bound', () => {
    assert.deepEqual(
      failing({ ...healthy, kafka: { lastOkAt: NOW - 41_000, lastError: 'Connection timeout' } }),
      ['kafka'],
    );
    assert.deepEqual(
      failing({ ...healthy, kafka: { lastOkAt: undefined, lastError: undefined } }),
      ['kafka'],
    );
  });

  test('unready when the consume loop is silent past the progress bound', () => {
    const v = evaluateReadiness({
      ...healthy,
      consumer: { ...healthy.consumer, lastActivityAt: NOW - 61_000 },
    });
    assert.equal(v.status, 'unavailable');
    assert.match(v.checks['consumer']!.detail, /silent for 61\.0 s/);
  });

  test('unready while starting, draining, crashed or stopped', () => {
    assert.deepEqual(failing({ ...healthy, worker: { running: false, stopping: false } }), [
      'worker',
    ]);
    assert.deepEqual(failing({ ...healthy, worker: { running: false, stopping: true } }), [
      'worker',
    ]);
    for (const phase of ['starting', 'crashed', 'stopped'] as const) {
      assert.deepEqual(
        failing({ ...healthy, consumer: { ...healthy.consumer, phase } }),
        ['consumer'],
        phase,
      );
    }
  });
});

describe('health', () => {
  test('alive while the event-loop timer keeps running', () => {
    const ok = evaluateHealth({
      now: NOW,
      lastTickAt: NOW - 300,
      stallMs: 10_000,
      delayMs: { p99: 12.3, max: 40 },
    });
    assert.equal(ok.status, 'ok');
    assert.match(ok.checks['eventLoop']!.detail, /p99 12\.3 ms/);
    const stalled = evaluateHealth({
      now: NOW,
      lastTickAt: NOW - 12_000,
      stallMs: 10_000,
      delayMs: { p99: 0, max: 0 },
    });
    assert.equal(stalled.status, 'unavailable');
    assert.match(stalled.checks['eventLoop']!.detail, /stalled for 12\.0 s/);
  });
});
