import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError } from '../../../src/errors.ts';
import { loadTopicDefinitions } from '../../../src/topics/load-topic-definitions.ts';
import { overrideReplicationFactor } from '../../../src/topics/override-replication-factor.ts';

const REPO_TOPICS = join(import.meta.dirname, '../../../topics');

function topicsDir(files: Record<string, unknown>): string {
  const root = mkdtempSync(join(tmpdir(), 'topics-'));
  const dir = join(root, 'topics');
  mkdirSync(dir);
  mkdirSync(join(root, 'schemas'));
  writeFileSync(join(root, 'schemas', 'e.avsc'), '{}');
  for (const [name, body] of Object.entries(files)) {
    writeFileSync(join(dir, name), typeof body === 'string' ? body : JSON.stringify(body));
  }
  return dir;
}

const events = {
  name: 'ev',
  description: 'events',
  partitions: 4,
  replicationFactor: 3,
  config: { 'min.insync.replicas': '2', 'max.message.bytes': '1000' },
  message: { formats: ['json', 'avro-confluent'], schema: 'schemas/e.avsc', key: 'distinct_id' },
  table: 'events',
  deadLetterTopic: 'ev_dlq',
};
const dlq = {
  name: 'ev_dlq',
  description: 'dead letters',
  partitions: 1,
  replicationFactor: 3,
  config: { 'max.message.bytes': '2000' },
  message: { formats: ['dead-letter'], schema: null, key: 'original key' },
  table: null,
  deadLetterTopic: null,
};

function problems(dir: string): readonly string[] {
  try {
    loadTopicDefinitions(dir);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('loadTopicDefinitions', () => {
  test("the repository's topic files are valid", () => {
    const { topics } = loadTopicDefinitions(REPO_TOPICS);
    assert.deepEqual(
      topics.map((t) => t.name),
      ['hanzo_events', 'hanzo_events_dlq'],
    );
    const main = topics[0]!;
    assert.equal(main.table, 'events');
    assert.equal(main.deadLetterTopic, 'hanzo_events_dlq');
    assert.ok(main.message.formats.includes('json'));
  });

  test('valid files load sorted by name, defaults applied', () => {
    const { topics } = loadTopicDefinitions(
      topicsDir({ 'ev_dlq.json': dlq, 'ev.json': { ...events, config: undefined } }),
    );
    assert.deepEqual(
      topics.map((t) => t.name),
      ['ev', 'ev_dlq'],
    );
    assert.deepEqual(topics[0]!.config, {});
  });

  test('every problem is reported at once, by file and field', () => {
    const found = problems(
      topicsDir({
        'ev.json': {
          ...events,
          partitions: 0,
          config: { 'min.insync.replicas': '4', 'Retention MS': '1' },
          surprise: true,
        },
        'ev_dlq.json': dlq,
        'broken.json': '{ "name": ',
      }),
    );
    const text = found.join('\n');
    assert.match(text, /topics\/broken\.json: .*JSON/);
    assert.match(text, /topics\/ev\.json: partitions: /);
    assert.match(text, /topics\/ev\.json: config\.Retention MS: is not a Kafka topic config name/);
    assert.match(text, /surprise/);
  });

  test('min.insync.replicas above the replication factor is refused', () => {
    const found = problems(
      topicsDir({
        'ev.json': { ...events, config: { 'min.insync.replicas': '4' } },
        'ev_dlq.json': dlq,
      }),
    ).join('\n');
    assert.match(
      found,
      /topics\/ev\.json: config\.min\.insync\.replicas: must be from 1 to the replication factor \(3\)/,
    );
  });

  test('cross-file rules: file name, dead-letter topic defined and large enough, schema present', () => {
    const found = problems(
      topicsDir({
        'wrong-name.json': {
          ...events,
          message: { ...events.message, schema: 'schemas/missing.avsc' },
        },
        'ev_dlq.json': { ...dlq, config: { 'max.message.bytes': '1000' } },
      }),
    ).join('\n');
    assert.match(found, /holds topic "ev"; name the file ev\.json/);
    assert.match(found, /message\.schema: schemas\/missing\.avsc does not exist/);
    assert.match(found, /ev_dlq: max\.message\.bytes \(1000\) must exceed ev's \(1000\)/);

    const missingDlq = problems(topicsDir({ 'ev.json': events })).join('\n');
    assert.match(missingDlq, /deadLetterTopic ev_dlq has no topic file/);
  });

  test('--replication-factor caps min.insync.replicas and says so', () => {
    const { topics } = loadTopicDefinitions(REPO_TOPICS);
    const { topics: dev, notes } = overrideReplicationFactor(topics, 1);
    assert.ok(dev.every((t) => t.replicationFactor === 1));
    assert.ok(dev.every((t) => t.config['min.insync.replicas'] === '1'));
    assert.equal(notes.length, 2);
    assert.equal(topics[0]!.config['min.insync.replicas'], '2', 'input left unchanged');
  });
});
