import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig } from '../../../src/config/load-config.ts';
import { runCli } from '../../support/run-cli.ts';

describe('commands that need no server need no KAFKA_BROKERS', () => {
  test('`migrate render` prints the schema with no setting at all', async () => {
    const run = await runCli(['migrate', 'render']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^-- 0001_\w+\nCREATE TABLE IF NOT EXISTS default\.events/);
  });

  test('`kafka-engine render` names the setting to fill in, or uses the brokers given', async () => {
    const unset = await runCli(['kafka-engine', 'render']);
    assert.equal(unset.code, 0, unset.stderr);
    assert.match(unset.stdout, /kafka_broker_list = '<KAFKA_BROKERS>'/);
    const set = await runCli(['kafka-engine', 'render'], { KAFKA_BROKERS: 'k1:9092,k2:9092' });
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout, /kafka_broker_list = 'k1:9092,k2:9092'/);
  });

  test('`run` still stops at once, naming the missing setting', async () => {
    const run = await runCli(['run'], {}, 20_000);
    assert.equal(run.code, 2, run.stderr);
    assert.equal(
      run.stderr,
      'hanzo-ingest: invalid configuration:\n  - KAFKA_BROKERS (kafka.brokers): is required\n',
    );
  });

  test('loadConfig: kafkaUnused leaves the brokers empty when unset, as given otherwise', () => {
    assert.deepEqual(loadConfig({ env: {}, kafkaUnused: true }).kafka.brokers, []);
    const given = loadConfig({ env: { KAFKA_BROKERS: 'k:9092' }, kafkaUnused: true });
    assert.deepEqual(given.kafka.brokers, ['k:9092']);
    // A broker list that is there but wrong is still an error.
    assert.throws(
      () => loadConfig({ env: { KAFKA_BROKERS: 'no-port' }, kafkaUnused: true }),
      /KAFKA_BROKERS \(kafka\.brokers\.0\): must be host:port/,
    );
  });
});
