import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  newClusterId,
  renderLog4j2Config,
  renderServerProperties,
} from '../../../stack/kafka/kafka-config-files.ts';

function parseProperties(text: string): Map<string, string> {
  const entries = text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const at = line.indexOf('=');
      return [line.slice(0, at), line.slice(at + 1)] as const;
    });
  return new Map(entries);
}

void test('server.properties describes one loopback KRaft node that is broker and controller', () => {
  const properties = parseProperties(
    renderServerProperties({
      port: 39092,
      controllerPort: 39093,
      logDir: '/data/kraft',
      numPartitions: 3,
    }),
  );
  assert.equal(properties.get('process.roles'), 'broker,controller');
  assert.equal(properties.get('controller.quorum.voters'), '1@127.0.0.1:39093');
  assert.equal(
    properties.get('listeners'),
    'PLAINTEXT://127.0.0.1:39092,CONTROLLER://127.0.0.1:39093',
  );
  assert.equal(properties.get('advertised.listeners'), 'PLAINTEXT://127.0.0.1:39092');
  assert.equal(properties.get('log.dirs'), '/data/kraft');
  assert.equal(properties.get('num.partitions'), '3');
  assert.equal(properties.get('auto.create.topics.enable'), 'false');
  assert.equal(properties.get('offsets.topic.replication.factor'), '1');
  assert.equal(properties.get('group.initial.rebalance.delay.ms'), '0');
});

void test('backslashes in paths survive java.util.Properties escaping', () => {
  const text = renderServerProperties({
    port: 1,
    controllerPort: 2,
    logDir: 'C:\\kafka\\data',
    numPartitions: 1,
  });
  assert.match(text, /^log\.dirs=C:\\\\kafka\\\\data$/m);
});

void test('the log4j2 config writes to the given file, XML-escaped', () => {
  const xml = renderLog4j2Config('/tmp/a&b/kafka.log');
  assert.match(xml, /fileName="\/tmp\/a&amp;b\/kafka\.log"/);
  assert.doesNotMatch(xml, /Console/);
});

void test('cluster ids are 22 base64url characters and never start with "-"', () => {
  for (let i = 0; i < 2_000; i++) {
    const id = newClusterId();
    assert.match(id, /^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
  }
});
