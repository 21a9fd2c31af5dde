import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { planTopicChanges } from '../../../src/topics/plan-topic-changes.ts';
import type { ClusterTopics, TopicState } from '../../../src/topics/read-topic-states.ts';
import type { TopicDefinition } from '../../../src/topics/topic-definition.ts';

const def = (over: Partial<TopicDefinition> = {}): TopicDefinition => ({
  name: 't',
  description: 'd',
  partitions: 6,
  replicationFactor: 1,
  config: { 'retention.ms': '1000', 'min.insync.replicas': '1' },
  message: { formats: ['json'], schema: null, key: 'k' },
  table: 'events',
  deadLetterTopic: null,
  ...over,
});

const state = (over: Partial<TopicState> = {}): TopicState => ({
  name: 't',
  partitions: 6,
  replicationFactor: 1,
  overrides: new Map([
    ['retention.ms', '1000'],
    ['min.insync.replicas', '1'],
  ]),
  effective: new Map([
    ['retention.ms', '1000'],
    ['min.insync.replicas', '1'],
    ['segment.ms', '604800000'],
  ]),
  ...over,
});

const cluster = (topics: TopicState[], brokers = 1): ClusterTopics => ({
  brokers,
  topics: new Map(topics.map((t) => [t.name, t])),
});

describe('planTopicChanges', () => {
  test('a missing topic is created with its partitions, replication and configs', () => {
    const plan = planTopicChanges([def()], cluster([]));
    assert.deepEqual(plan.changes, [
      {
        kind: 'create',
        topic: 't',
        partitions: 6,
        replicationFactor: 1,
        config: { 'retention.ms': '1000', 'min.insync.replicas': '1' },
      },
    ]);
    assert.deepEqual(plan.refusals, []);
  });

  test('a topic as the file says needs nothing', () => {
    const plan = planTopicChanges([def()], cluster([state()]));
    assert.deepEqual(plan.changes, []);
    assert.deepEqual(plan.inSync, ['t']);
  });

  test('partitions are raised, never lowered', () => {
    const raised = planTopicChanges([def({ partitions: 12 })], cluster([state()]));
    assert.deepEqual(raised.changes, [{ kind: 'addPartitions', topic: 't', from: 6, to: 12 }]);
    assert.ok(raised.notes.some((n) => n.includes('keyed messages map to other partitions')));

    const lowered = planTopicChanges([def({ partitions: 3 })], cluster([state()]));
    assert.deepEqual(lowered.changes, []);
    assert.equal(lowered.refusals.length, 1);
    assert.match(
      lowered.refusals[0]!.reason,
      /partitions not lowered: the cluster has 6, the file says 3/,
    );
    assert.deepEqual(lowered.inSync, []);
  });

  test('a different replication factor is explained, not changed', () => {
    const plan = planTopicChanges([def({ replicationFactor: 3 })], cluster([state()], 3));
    assert.deepEqual(plan.changes, []);
    assert.match(plan.refusals[0]!.reason, /partition reassignment/);
  });

  test('creating needs enough brokers for the replication factor', () => {
    const plan = planTopicChanges([def({ replicationFactor: 3 })], cluster([], 1));
    assert.deepEqual(plan.changes, []);
    assert.match(plan.refusals[0]!.reason, /needs at least 3 brokers, the cluster has 1/);
  });

  test('a changed config is set; overrides the file does not manage are sent back unchanged', () => {
    const current = state({
      overrides: new Map([
        ['retention.ms', '1000'],
        ['min.insync.replicas', '1'],
        ['segment.bytes', '1048576'],
      ]),
    });
    const plan = planTopicChanges(
      [
        def({
          config: { 'retention.ms': '5000', 'min.insync.replicas': '1', 'segment.ms': '3600000' },
        }),
      ],
      cluster([current]),
    );
    assert.deepEqual(plan.changes, [
      {
        kind: 'alterConfigs',
        topic: 't',
        changes: [
          { name: 'retention.ms', from: '1000', to: '5000', wasOverride: true },
          { name: 'segment.ms', from: '604800000', to: '3600000', wasOverride: false },
        ],
        overrides: {
          'retention.ms': '5000',
          'min.insync.replicas': '1',
          'segment.bytes': '1048576',
          'segment.ms': '3600000',
        },
      },
    ]);
    assert.ok(plan.notes.some((n) => n.includes('segment.bytes=1048576')));
  });

  test('a value equal to the broker default still becomes a pinned topic override', () => {
    const current = state({ overrides: new Map([['min.insync.replicas', '1']]) });
    const plan = planTopicChanges([def()], cluster([current]));
    const change = plan.changes[0];
    assert.equal(change?.kind, 'alterConfigs');
    assert.deepEqual(change.kind === 'alterConfigs' ? change.changes : [], [
      { name: 'retention.ms', from: '1000', to: '1000', wasOverride: false },
    ]);
  });

  test('a sensitive override the broker hides blocks config changes instead of being dropped', () => {
    const current = state({
      overrides: new Map<string, string | null>([
        ['retention.ms', '1000'],
        ['min.insync.replicas', '1'],
        ['some.secret', null],
      ]),
    });
    const plan = planTopicChanges(
      [def({ config: { 'retention.ms': '2000' } })],
      cluster([current]),
    );
    assert.deepEqual(plan.changes, []);
    assert.match(plan.refusals[0]!.reason, /sensitive overrides \(some\.secret\)/);
  });
});
