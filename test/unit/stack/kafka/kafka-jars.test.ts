import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { kafkaCacheRoot, pinnedKafkaVersion } from '../../../stack/kafka/kafka-jars.ts';

void test('the Kafka version comes from the pom property', () => {
  assert.equal(
    pinnedKafkaVersion('<properties><kafka.version> 4.3.1 </kafka.version></properties>'),
    '4.3.1',
  );
  assert.throws(() => pinnedKafkaVersion('<project/>'), /kafka\.version/);
  const pom = readFileSync(new URL('../../../stack/kafka/pom.xml', import.meta.url), 'utf8');
  assert.match(pinnedKafkaVersion(pom), /^\d+\.\d+\.\d+$/);
});

void test('HANZO_KAFKA_CACHE replaces <repo>/.cache as the cache root', () => {
  const saved = process.env['HANZO_KAFKA_CACHE'];
  try {
    delete process.env['HANZO_KAFKA_CACHE'];
    assert.equal(
      kafkaCacheRoot(),
      join(new URL('../../../../', import.meta.url).pathname, '.cache'),
    );
    process.env['HANZO_KAFKA_CACHE'] = '/var/cache/hanzo';
    assert.equal(kafkaCacheRoot(), '/var/cache/hanzo');
  } finally {
    if (saved === undefined) delete process.env['HANZO_KAFKA_CACHE'];
    else process.env['HANZO_KAFKA_CACHE'] = saved;
  }
});
